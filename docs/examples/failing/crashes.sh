#!/bin/sh
# A crash: death by a signal (here a segmentation fault).
kill -SEGV $$
