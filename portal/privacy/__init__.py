"""GDPR self-service: data export, erasure of an organisation, retention of logs and drafts."""
