#!/bin/sh
echo "hi from a COPY --chmod"
