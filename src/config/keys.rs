//! trellis.yaml as a tree of its mappings' keys, each with where it is
//! written: what finds old spellings and places errors that serde could not.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

/// Calls `visit` with every key of every mapping and the section it is in
/// (its keys as `spell` names them, so a section is known by one name).
pub(crate) fn walk(
    node: &Node,
    spell: &impl Fn(&[String], &str) -> Option<String>,
    visit: &mut impl FnMut(&[String], &Spanned<String>),
) {
    walk_in(node, &mut Vec::new(), spell, visit);
}

fn walk_in(
    node: &Node,
    section: &mut Vec<String>,
    spell: &impl Fn(&[String], &str) -> Option<String>,
    visit: &mut impl FnMut(&[String], &Spanned<String>),
) {
    let Node::Map(entries) = node else {
        return;
    };
    for (key, child) in entries {
        visit(section, key);
        section.push(spell(section, &key.value).unwrap_or_else(|| key.value.clone()));
        walk_in(child, section, spell, visit);
        section.pop();
    }
}

/// Where the first key named `name` is written, at any depth: for errors
/// the YAML layer reports without a place (unknown keys after a merge).
pub(crate) fn first_key(text: &str, name: &str) -> Option<(u32, u32)> {
    let root = serde_saphyr::from_str::<Node>(text).ok()?;
    let mut found = None;
    walk(&root, &|_, _| None, &mut |_, key| {
        if found.is_none() && key.value == name {
            found = crate::policy::location_of(&key.referenced);
        }
    });
    found
}

/// A YAML document reduced to its mappings, with where each key is written.
pub(crate) enum Node {
    Map(Vec<(Spanned<String>, Node)>),
    Other,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let key = Spanned::new(key.value.0, key.referenced, key.defined);
            entries.push((key, map.next_value::<Node>()?));
        }
        Ok(Node::Map(entries))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Node::Other)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Other)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

/// A mapping key as text, whatever scalar it is (`1: a` has the key `1`).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_key_finds_keys_not_values() {
        let text = "version: 1\nexclude: [servces]\ndrift:\n  servces: x\n";
        assert_eq!(first_key(text, "servces"), Some((4, 3)));
        assert_eq!(first_key(text, "nothing"), None);
    }
}
