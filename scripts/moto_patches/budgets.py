"""Budgets: a notification's subscribers, and budget updates.

moto 5.2.5 stores each notification's subscribers but has no DescribeSubscribersForNotification,
CreateSubscriber, DeleteSubscriber or UpdateBudget (it answers "not yet implemented"), so a
budget's notifications cannot be read back or changed. Budgets serves them: a notification is
named by its NotificationType, ComparisonOperator, Threshold and ThresholdType (PERCENTAGE when
left out), and UpdateBudget replaces the budget's definition, keeping its notifications
(AWS Budgets API Reference).
"""
import json

from moto.budgets.exceptions import NotFoundException
from moto.budgets.models import Budget
from moto.budgets.responses import BudgetsResponse


def _key(details):
    return (
        details.get("NotificationType"),
        details.get("ComparisonOperator"),
        float(details.get("Threshold", 0)),
        details.get("ThresholdType") or "PERCENTAGE",
    )


def _budget(response):
    account_id = response._get_param("AccountId")
    name = response._get_param("BudgetName")
    budget = response.backend.budgets[account_id].get(name)
    if budget is None:
        raise NotFoundException(f"Unable to get budget: {name} - the budget doesn't exist.")
    return budget


def _notification(response):
    wanted = _key(response._get_param("Notification"))
    found = next((n for n in _budget(response).notifications if _key(n.details) == wanted), None)
    if found is None:
        raise NotFoundException("Unable to find the notification - it doesn't exist.")
    return found


def describe_subscribers_for_notification(self):
    return json.dumps({"Subscribers": list(_notification(self).subscribers), "NextToken": None})


def create_subscriber(self):
    notification = _notification(self)
    subscriber = self._get_param("Subscriber")
    if subscriber not in notification.subscribers:
        notification.subscribers = [*notification.subscribers, subscriber]
    return json.dumps({})


def delete_subscriber(self):
    notification = _notification(self)
    gone = self._get_param("Subscriber")
    notification.subscribers = [s for s in notification.subscribers if s != gone]
    return json.dumps({})


def update_budget(self):
    account_id = self._get_param("AccountId")
    new = self._get_param("NewBudget")
    old = self.backend.budgets[account_id].get(new["BudgetName"])
    if old is None:
        raise NotFoundException(
            f"Unable to update budget: {new['BudgetName']} - the budget doesn't exist."
        )
    updated = Budget(new, [])
    updated.notifications = old.notifications
    self.backend.budgets[account_id][new["BudgetName"]] = updated
    return json.dumps({})


BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification
BudgetsResponse.create_subscriber = create_subscriber
BudgetsResponse.delete_subscriber = delete_subscriber
BudgetsResponse.update_budget = update_budget
