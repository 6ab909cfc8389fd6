//! Python literal values recovered statically from decorator and call arguments.
//!
//! Two notions of "literal" matter, and they differ on purpose:
//! - Metaflow's graph parser only accepts an `ast.Constant` (a string, number, bool, None)
//!   for `foreach=`, `num_parallel=` and `condition=` (`metaflow/graph.py::_ast_literal_value`);
//!   `-1` or `("a",)` are not constants there. [`constant`] mirrors that.
//! - Decorator and Parameter arguments are real Python values at run time; statically we can
//!   know exactly those `ast.literal_eval` accepts. [`literal_eval`] mirrors that.

use ruff_python_ast::{Expr, Number, UnaryOp};
use serde_json::Value as Json;

/// A Python value known statically.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    /// Integers keep their decimal text: Python ints are unbounded.
    Int(String),
    Float(f64),
    Complex(String),
    Str(String),
    Bytes(Vec<u8>),
    Ellipsis,
    List(Vec<Literal>),
    Tuple(Vec<Literal>),
    Set(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

impl Literal {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Literal::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Literal::Int(s) => s.parse().ok(),
            Literal::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Literal::Float(f) => Some(*f),
            Literal::Int(s) => s.parse().ok(),
            Literal::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Literal::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Python's truthiness of the value.
    pub fn truthy(&self) -> bool {
        match self {
            Literal::None => false,
            Literal::Bool(b) => *b,
            Literal::Int(s) => s.trim_start_matches('-').chars().any(|c| c != '0'),
            Literal::Float(f) => *f != 0.0,
            Literal::Complex(_) | Literal::Ellipsis => true,
            Literal::Str(s) => !s.is_empty(),
            Literal::Bytes(b) => !b.is_empty(),
            Literal::List(v) | Literal::Tuple(v) | Literal::Set(v) => !v.is_empty(),
            Literal::Dict(v) => !v.is_empty(),
        }
    }

    /// Python's name of the value's type (`type(v).__name__`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Literal::None => "NoneType",
            Literal::Bool(_) => "bool",
            Literal::Int(_) => "int",
            Literal::Float(_) => "float",
            Literal::Complex(_) => "complex",
            Literal::Str(_) => "str",
            Literal::Bytes(_) => "bytes",
            Literal::Ellipsis => "ellipsis",
            Literal::List(_) => "list",
            Literal::Tuple(_) => "tuple",
            Literal::Set(_) => "set",
            Literal::Dict(_) => "dict",
        }
    }

    /// `str(v)` for scalars, `repr`-like for containers; used where Metaflow formats a
    /// value into a string (e.g. `to_pod` falls back to `str`).
    pub fn python_str(&self) -> String {
        match self {
            Literal::None => "None".into(),
            Literal::Bool(true) => "True".into(),
            Literal::Bool(false) => "False".into(),
            Literal::Int(s) | Literal::Complex(s) => s.clone(),
            Literal::Float(f) => python_float_repr(*f),
            Literal::Str(s) => s.clone(),
            Literal::Ellipsis => "Ellipsis".into(),
            other => other.python_repr(),
        }
    }

    /// An approximation of Python's `repr`.
    pub fn python_repr(&self) -> String {
        fn join(items: &[Literal]) -> String {
            items
                .iter()
                .map(Literal::python_repr)
                .collect::<Vec<_>>()
                .join(", ")
        }
        match self {
            Literal::Str(s) => {
                if s.contains('\'') && !s.contains('"') {
                    format!("\"{s}\"")
                } else {
                    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
                }
            }
            Literal::Bytes(b) => format!("b'{}'", b.escape_ascii()),
            Literal::List(v) => format!("[{}]", join(v)),
            Literal::Tuple(v) if v.len() == 1 => format!("({},)", v[0].python_repr()),
            Literal::Tuple(v) => format!("({})", join(v)),
            Literal::Set(v) if v.is_empty() => "set()".into(),
            Literal::Set(v) => format!("{{{}}}", join(v)),
            Literal::Dict(kv) => format!(
                "{{{}}}",
                kv.iter()
                    .map(|(k, v)| format!("{}: {}", k.python_repr(), v.python_repr()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.python_str(),
        }
    }

    /// The value as JSON the way `json.dumps` writes a plain value: containers become
    /// arrays, dict keys become strings as `json.dumps` converts them.
    pub fn to_json(&self) -> Json {
        match self {
            Literal::None => Json::Null,
            Literal::Bool(b) => Json::Bool(*b),
            Literal::Int(s) => s
                .parse::<i64>()
                .map(Json::from)
                .unwrap_or_else(|_| Json::String(s.clone())),
            Literal::Float(f) => serde_json::Number::from_f64(*f)
                .map(Json::Number)
                .unwrap_or_else(|| Json::String(python_float_repr(*f))),
            Literal::Str(s) => Json::String(s.clone()),
            Literal::List(v) | Literal::Tuple(v) | Literal::Set(v) => {
                Json::Array(v.iter().map(Literal::to_json).collect())
            }
            Literal::Dict(kv) => Json::Object(
                kv.iter()
                    .map(|(k, v)| (k.json_key(), v.to_json()))
                    .collect(),
            ),
            other => Json::String(other.python_str()),
        }
    }

    /// A JSON value as the Python value `json.loads` gives: objects become dicts with
    /// string keys, arrays lists, integers keep their digits. The inverse of
    /// [`Literal::to_json`] on what `json.loads` can produce.
    pub fn from_json(v: &Json) -> Literal {
        match v {
            Json::Null => Literal::None,
            Json::Bool(b) => Literal::Bool(*b),
            Json::Number(n) if n.is_i64() || n.is_u64() => Literal::Int(n.to_string()),
            Json::Number(n) => Literal::Float(n.as_f64().unwrap_or(f64::NAN)),
            Json::String(s) => Literal::Str(s.clone()),
            Json::Array(a) => Literal::List(a.iter().map(Literal::from_json).collect()),
            Json::Object(m) => Literal::Dict(
                m.iter()
                    .map(|(k, v)| (Literal::Str(k.clone()), Literal::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Metaflow's `to_pod`: like [`Literal::to_json`] except that `None` and other
    /// non-(str, int, float) scalars become their `str()`.
    pub fn to_pod(&self) -> Json {
        match self {
            Literal::None | Literal::Bytes(_) | Literal::Complex(_) | Literal::Ellipsis => {
                Json::String(self.python_str())
            }
            Literal::List(v) | Literal::Tuple(v) | Literal::Set(v) => {
                Json::Array(v.iter().map(Literal::to_pod).collect())
            }
            Literal::Dict(kv) => {
                Json::Object(kv.iter().map(|(k, v)| (k.json_key(), v.to_pod())).collect())
            }
            other => other.to_json(),
        }
    }

    /// How `json.dumps` turns a dict key into a string.
    pub fn json_key(&self) -> String {
        match self {
            Literal::Str(s) => s.clone(),
            Literal::None => "null".into(),
            Literal::Bool(true) => "true".into(),
            Literal::Bool(false) => "false".into(),
            other => other.python_str(),
        }
    }

    /// Python `==` between two literals as dict keys compare (`1 == 1.0 == True`).
    pub fn py_eq(&self, other: &Literal) -> bool {
        match (self.as_f64_key(), other.as_f64_key()) {
            (Some(a), Some(b)) => a == b,
            _ => self == other,
        }
    }

    fn as_f64_key(&self) -> Option<f64> {
        match self {
            Literal::Bool(_) | Literal::Int(_) | Literal::Float(_) => self.as_f64(),
            _ => None,
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, always with a `.` or exponent.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let s = format!("{f:?}");
    // Rust's Debug already gives shortest round-trip digits ("1.0", "1e-7", "1e16");
    // Python writes exponents with a sign and two digits at least.
    if let Some((mant, exp)) = s.split_once('e') {
        let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
        format!("{mant}e{sign}{digits:0>2}")
    } else {
        s
    }
}

fn number(n: &Number) -> Literal {
    match n {
        Number::Int(i) => Literal::Int(i.to_string()),
        Number::Float(f) => Literal::Float(*f),
        Number::Complex { real, imag } => Literal::Complex(if *real == 0.0 {
            format!("{}j", python_float_repr(*imag).trim_end_matches(".0"))
        } else {
            format!("({real}+{imag}j)")
        }),
    }
}

/// `ast.Constant` only, as Metaflow's graph parser reads `foreach=`/`condition=`.
pub fn constant(expr: &Expr) -> Option<Literal> {
    Some(match expr {
        Expr::StringLiteral(s) => Literal::Str(s.value.to_str().to_string()),
        Expr::BytesLiteral(b) => Literal::Bytes(b.value.bytes().collect()),
        Expr::NumberLiteral(n) => number(&n.value),
        Expr::BooleanLiteral(b) => Literal::Bool(b.value),
        Expr::NoneLiteral(_) => Literal::None,
        Expr::EllipsisLiteral(_) => Literal::Ellipsis,
        _ => return None,
    })
}

/// What `ast.literal_eval` accepts: constants, signed numbers, and tuples, lists, sets and
/// dicts of literals.
pub fn literal_eval(expr: &Expr) -> Option<Literal> {
    if let Some(c) = constant(expr) {
        return Some(c);
    }
    Some(match expr {
        Expr::UnaryOp(u) if matches!(u.op, UnaryOp::USub | UnaryOp::UAdd) => {
            let neg = matches!(u.op, UnaryOp::USub);
            match literal_eval(&u.operand)? {
                Literal::Int(s) if neg => Literal::Int(match s.strip_prefix('-') {
                    Some(pos) => pos.to_string(),
                    None if s == "0" => s,
                    None => format!("-{s}"),
                }),
                Literal::Float(f) if neg => Literal::Float(-f),
                v @ (Literal::Int(_) | Literal::Float(_)) => v,
                _ => return None,
            }
        }
        Expr::List(l) => Literal::List(l.elts.iter().map(literal_eval).collect::<Option<_>>()?),
        Expr::Tuple(t) => Literal::Tuple(t.elts.iter().map(literal_eval).collect::<Option<_>>()?),
        Expr::Set(s) => Literal::Set(s.elts.iter().map(literal_eval).collect::<Option<_>>()?),
        Expr::Dict(d) => {
            let mut items: Vec<(Literal, Literal)> = Vec::with_capacity(d.items.len());
            for item in &d.items {
                let key = literal_eval(item.key.as_ref()?)?;
                let value = literal_eval(&item.value)?;
                // A repeated key keeps its first position and takes the last value.
                match items.iter_mut().find(|(k, _)| k.py_eq(&key)) {
                    Some(slot) => slot.1 = value,
                    None => items.push((key, value)),
                }
            }
            Literal::Dict(items)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Option<Literal> {
        let parsed = crate::parse::python::parse(&format!("x = {src}\n"));
        match &parsed.module.body[0] {
            ruff_python_ast::Stmt::Assign(a) => literal_eval(&a.value),
            _ => unreachable!(),
        }
    }

    #[test]
    fn literal_eval_matches_python() {
        assert_eq!(eval("-3"), Some(Literal::Int("-3".into())));
        assert_eq!(eval("'a' 'b'"), Some(Literal::Str("ab".into())));
        assert_eq!(
            eval("{'a': 1, 'a': 2}").map(|l| l.to_json()),
            Some(serde_json::json!({"a": 2}))
        );
        assert_eq!(eval("(1,)").map(|l| l.python_repr()), Some("(1,)".into()));
        assert_eq!(eval("N"), None);
        assert_eq!(eval("60 * 5"), None);
        assert_eq!(eval("f'x'"), None);
        assert_eq!(
            eval("None").map(|l| l.to_pod()),
            Some(serde_json::json!("None"))
        );
    }

    #[test]
    fn from_json_round_trips_json_values() {
        let v = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -7}, "big": 18446744073709551615u64});
        let l = Literal::from_json(&v);
        assert_eq!(l.to_json()["a"], v["a"]);
        assert_eq!(l.to_json()["b"], v["b"]);
        match &l {
            Literal::Dict(kv) => {
                assert_eq!(kv[0].0, Literal::Str("a".into()));
                assert_eq!(kv[2].1, Literal::Int("18446744073709551615".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(Literal::from_json(&serde_json::json!(2)).as_i64(), Some(2));
        assert_eq!(
            Literal::from_json(&serde_json::json!(0.5)),
            Literal::Float(0.5)
        );
    }

    #[test]
    fn float_repr_is_pythons() {
        assert_eq!(python_float_repr(0.1), "0.1");
        assert_eq!(python_float_repr(1.0), "1.0");
        assert_eq!(python_float_repr(1e-7), "1e-07");
        assert_eq!(python_float_repr(1e22), "1e+22");
    }
}
