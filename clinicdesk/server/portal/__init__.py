"""The patient portal: a small mobile-first web site served by HQ from the rows desks sync to it."""
