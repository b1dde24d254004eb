from apps.reports.services.generate import report_generate
from apps.reports.services.reports import report_request

__all__ = ["report_generate", "report_request"]
