#!/bin/bash
# fixture: runs in a second boot after the crash
echo "after the crash"
