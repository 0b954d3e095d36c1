enum AuditLintModule {}
