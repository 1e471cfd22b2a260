#!/bin/sh
# Generate configure and Makefile.in (not committed).
set -e
cd "$(dirname "$0")"
autoreconf -fi
