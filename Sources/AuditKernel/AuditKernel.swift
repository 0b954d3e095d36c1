import CLibAudit
