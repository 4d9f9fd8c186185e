#!/bin/bash
# fixture: sees nothing left of the previous test in its own session
if pgrep -x -f 'sleep 4243' > /dev/null; then echo "stray from t_f survived"; exit 1; fi
echo "clean"
