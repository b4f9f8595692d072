# rtl: filled in by its issue
