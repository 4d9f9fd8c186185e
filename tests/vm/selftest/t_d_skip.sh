#!/bin/bash
# fixture: skips; the last line is the reason
echo "fixture skip reason"
exit 77
