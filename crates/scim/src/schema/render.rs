//! The `/Schemas` representation of a schema (RFC 7643 §7, example in §8.7.1).

use serde_json::{Map, Value, json};

use super::{Attribute, SchemaDefinition};

/// The schema of a Schema resource (RFC 7643 §7, RFC 7644 §4).
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

impl SchemaDefinition {
    /// This schema as a `/Schemas` resource. `meta.location` is left to the
    /// HTTP layer, which knows the base URL.
    pub fn to_json(&self) -> Value {
        let attributes: Vec<Value> = self.attributes.iter().map(Attribute::to_json).collect();
        json!({
            "schemas": [SCHEMA_SCHEMA],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": attributes,
            "meta": { "resourceType": "Schema" },
        })
    }
}

impl Attribute {
    /// This attribute's definition as in a `/Schemas` resource (RFC 7643 §7).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), json!(self.name));
        out.insert("type".into(), json!(self.data_type));
        out.insert("multiValued".into(), json!(self.multi_valued));
        out.insert("description".into(), json!(self.description));
        out.insert("required".into(), json!(self.required));
        if self.is_complex() {
            let subs: Vec<Value> = self.sub_attributes.iter().map(Attribute::to_json).collect();
            out.insert("subAttributes".into(), Value::Array(subs));
        } else {
            // RFC 7643 §7: caseExact describes values, which a complex
            // attribute has only through its sub-attributes.
            out.insert("caseExact".into(), json!(self.case_exact));
        }
        if !self.canonical_values.is_empty() {
            out.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if !self.reference_types.is_empty() {
            out.insert("referenceTypes".into(), json!(self.reference_types));
        }
        out.insert("mutability".into(), json!(self.mutability));
        out.insert("returned".into(), json!(self.returned));
        out.insert("uniqueness".into(), json!(self.uniqueness));
        Value::Object(out)
    }
}
