#!/bin/bash
# vm-timeout: 3
# fixture: runs past its own timeout
sleep 60
