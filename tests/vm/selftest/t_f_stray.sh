#!/bin/bash
# fixture: leaves a process behind, which the runner must end
sleep 4243 < /dev/null > /dev/null 2>&1 &
echo "left strays"
