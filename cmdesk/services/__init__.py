"""Services: every user action is one call here and one transaction; DTOs and ChangeSets come back."""

from cmdesk.services.channels import ChannelService
from cmdesk.services.demo import DemoService
from cmdesk.services.plan import PlanService
from cmdesk.services.settings import SettingsService
from cmdesk.services.workspaces import WorkspaceService

__all__ = ["ChannelService", "DemoService", "PlanService", "SettingsService", "WorkspaceService"]
