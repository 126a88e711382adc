"""What is installed on this machine: interpreter sources and discovery, environment scan, probes and their cache, version requests, installed distributions."""
