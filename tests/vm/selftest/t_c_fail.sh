#!/bin/bash
# fixture: fails with status 3
echo "about to fail"
exit 3
