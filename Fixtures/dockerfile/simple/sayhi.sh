#!/bin/sh
echo "hi from swift-r2d"
