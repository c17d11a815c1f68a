#!/bin/sh
echo "ferramenta pronta"
ls /opt/ferramenta
