"""What people needed and did not get: the unanswered inbox and the reports."""
