//! What the in-memory cloud's creates cost in calls, for [`crate::bound::apply_bound`].

use std::time::Duration;

use super::{locked, InMemoryCloud};
use crate::bound::CreateCost;

impl InMemoryCloud {
    /// The calls a create of `type_name` takes on this cloud, as configured now. Every type
    /// is ready when its create returns, except `AWS::Organizations::Account`: `CreateAccount`
    /// answers "in progress", then each of the
    /// [configured](InMemoryCloud::set_account_creation) status polls answers "in progress"
    /// again, and one more poll finds the account; the engine waits the poll interval before
    /// each poll.
    ///
    /// ```
    /// use std::time::Duration;
    /// use landform_deploy::InMemoryCloud;
    /// let cloud = InMemoryCloud::new();
    /// cloud.set_account_creation(1, 20);
    /// let account = cloud.create_cost("AWS::Organizations::Account");
    /// assert_eq!((account.writes, account.polls), (1, 2));
    /// assert_eq!(account.waits, Duration::from_millis(40));
    /// assert_eq!(cloud.create_cost("AWS::EC2::VPC").polls, 0);
    /// ```
    pub fn create_cost(&self, type_name: &str) -> CreateCost {
        if type_name != "AWS::Organizations::Account" {
            return CreateCost::ONE_CALL;
        }
        let d = locked(&self.inner.data);
        let polls = d.account_polls + 1;
        CreateCost {
            writes: 1,
            polls,
            waits: Duration::from_millis(d.poll_ms) * polls,
        }
    }
}
