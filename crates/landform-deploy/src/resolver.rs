//! Resolution of a stack's intrinsics against the model and the recorded state.

use std::collections::HashSet;

use landform_core::synth::{AccountSpec, OutputRef};
use serde_json::{json, Value as Json};

use crate::intrinsics::{resolve, IntrinsicError, Lookup, ResolveContext};
use crate::model::Model;
use crate::state::State;

/// Resolves values of any stack of the model.
pub(crate) struct Resolver<'a> {
    pub model: &'a Model,
    pub state: &'a State,
    /// Resources whose attributes are not known yet (to be created or replaced).
    pub unknown: &'a HashSet<usize>,
}

const MAX_HOPS: usize = 16;

impl<'a> Resolver<'a> {
    pub fn new(model: &'a Model, state: &'a State, unknown: &'a HashSet<usize>) -> Self {
        Resolver {
            model,
            state,
            unknown,
        }
    }

    /// Resolve a value of stack `s`.
    pub fn value(&self, s: usize, value: &Json) -> Result<Option<Json>, IntrinsicError> {
        resolve(
            value,
            &StackContext {
                r: self,
                s,
                hops: 0,
            },
        )
    }

    /// The account of stack `s`.
    pub fn account(&self, s: usize) -> Lookup {
        self.account_hops(s, 0)
    }

    fn account_hops(&self, s: usize, hops: usize) -> Lookup {
        match &self.model.stacks[s].account {
            AccountSpec::Literal(id) => Lookup::Known(json!(id)),
            AccountSpec::FromOutput(out) => self.output(out, hops + 1),
        }
    }

    /// The value of a stack output.
    pub fn output(&self, out: &OutputRef, hops: usize) -> Lookup {
        if hops > MAX_HOPS {
            return Lookup::Missing;
        }
        let Some(&p) = self.model.stack_index.get(&out.stack) else {
            return Lookup::Missing;
        };
        let Some(body) = self.model.stacks[p].outputs.get(&out.output) else {
            return Lookup::Missing;
        };
        let value = body.get("Value").cloned().unwrap_or(Json::Null);
        match resolve(
            &value,
            &StackContext {
                r: self,
                s: p,
                hops: hops + 1,
            },
        ) {
            Ok(Some(v)) => Lookup::Known(v),
            Ok(None) => Lookup::Unknown,
            Err(_) => Lookup::Missing,
        }
    }

    fn resource(&self, s: usize, lid: &str, attribute: Option<&str>) -> Lookup {
        let stack = &self.model.stacks[s];
        let desired = stack.resources.get(lid).copied();
        if let Some(i) = desired {
            if self.unknown.contains(&i) {
                return Lookup::Unknown;
            }
        }
        match self.state.resource(&stack.name, lid) {
            Some(rec) => match attribute {
                None => Lookup::Known(json!(rec.physical_id)),
                Some(a) => rec
                    .attributes
                    .get(a)
                    .cloned()
                    .map(Lookup::Known)
                    .unwrap_or(Lookup::Missing),
            },
            None if desired.is_some() => Lookup::Unknown,
            None => Lookup::Missing,
        }
    }
}

struct StackContext<'r, 'a> {
    r: &'r Resolver<'a>,
    s: usize,
    hops: usize,
}

impl ResolveContext for StackContext<'_, '_> {
    fn reference(&self, name: &str) -> Lookup {
        let stack = &self.r.model.stacks[self.s];
        match name {
            "AWS::AccountId" => return self.r.account_hops(self.s, self.hops),
            "AWS::Region" => return Lookup::Known(json!(stack.region)),
            "AWS::Partition" => return Lookup::Known(json!("aws")),
            "AWS::StackName" => return Lookup::Known(json!(stack.name)),
            "AWS::URLSuffix" => return Lookup::Known(json!("amazonaws.com")),
            "AWS::NoValue" => return Lookup::Known(Json::Null),
            _ => {}
        }
        if let Some(source) = stack.parameters.get(name) {
            return self.r.output(source, self.hops + 1);
        }
        self.r.resource(self.s, name, None)
    }
    fn attribute(&self, logical_id: &str, attribute: &str) -> Lookup {
        self.r.resource(self.s, logical_id, Some(attribute))
    }
    fn import(&self, export: &str) -> Lookup {
        match self.r.model.exports.get(export) {
            Some(source) => self.r.output(source, self.hops + 1),
            None => Lookup::Missing,
        }
    }
}
