#!/bin/bash
# fixture: passes
echo "a passing test"
