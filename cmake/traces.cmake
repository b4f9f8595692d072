# traces: filled in by its issue
