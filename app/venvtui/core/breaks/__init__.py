"""What breaks: the breakage catalogue, installer events, forecast, what-if and health."""
