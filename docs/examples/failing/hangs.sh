#!/bin/sh
# A hang: killed at its deadline. Try: assay run --timeout 2 docs/examples/failing
echo "waiting for something that never comes"
sleep 3600
