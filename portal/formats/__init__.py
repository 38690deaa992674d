"""Date formats (FORMAT_MODULE_PATH): day-month-year and 24-hour time in both languages."""
