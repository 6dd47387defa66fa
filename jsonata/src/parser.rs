use crate::ast::{BinaryOp, Expr};
use crate::error::SyntaxError;
use crate::lexer::{Lexer, Token};

/// Deeper nesting is refused rather than risking the stack.
const MAX_DEPTH: usize = 200;

/// Parses one JSONata expression.
pub fn parse(source: &str) -> Result<Expr, SyntaxError> {
    let mut p = Parser {
        lexer: Lexer::new(source),
        tok: Token::End,
        tok_pos: 0,
        depth: 0,
    };
    p.advance_from(true)?;
    let expr = p.expression(0)?;
    if p.tok != Token::End {
        return Err(p.error("S0201", format!("Syntax error: {}", show(&p.tok))));
    }
    Ok(expr)
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    tok: Token,
    tok_pos: usize,
    depth: usize,
}

fn show(t: &Token) -> String {
    match t {
        Token::Op(o) => format!("\"{o}\""),
        Token::Number(n) => n.to_string(),
        Token::String(s) => format!("\"{s}\""),
        Token::Name(n) => n.clone(),
        Token::Variable(v) => format!("${v}"),
        Token::Regex { pattern, .. } => format!("/{pattern}/"),
        Token::End => "(end)".to_string(),
    }
}

fn binding_power(t: &Token) -> u8 {
    match t {
        Token::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "?" | ".." => 20,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "?:" | "??" => 40,
            ":=" => 10,
            _ => 0,
        },
        Token::Name(n) => match n.as_str() {
            "and" => 30,
            "or" => 25,
            "in" => 40,
            _ => 0,
        },
        _ => 0,
    }
}

fn binary_op(t: &Token) -> Option<BinaryOp> {
    use BinaryOp::*;
    Some(match t {
        Token::Op(op) => match *op {
            "+" => Add,
            "-" => Subtract,
            "*" => Multiply,
            "/" => Divide,
            "%" => Modulo,
            "=" => Equal,
            "!=" => NotEqual,
            "<" => Less,
            "<=" => LessEqual,
            ">" => Greater,
            ">=" => GreaterEqual,
            "&" => Concat,
            ".." => Range,
            "~>" => Apply,
            "?:" => Elvis,
            "??" => Coalesce,
            _ => return None,
        },
        Token::Name(n) => match n.as_str() {
            "and" => And,
            "or" => Or,
            "in" => In,
            _ => return None,
        },
        _ => return None,
    })
}

impl Parser<'_> {
    fn error(&self, code: &'static str, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            code,
            message: message.into(),
            position: self.tok_pos,
        }
    }

    fn advance_from(&mut self, prefix: bool) -> Result<(), SyntaxError> {
        self.tok_pos = self.lexer.pos;
        self.tok = self.lexer.next(prefix)?;
        // `!` and `~` are read as operator characters but mean nothing on their own.
        if let Token::Op(op @ ("!" | "~")) = self.tok {
            return Err(self.error("S0204", format!("Unknown operator: \"{op}\"")));
        }
        Ok(())
    }

    /// Moves past the current token; the token after an operator (other than a closing
    /// bracket) starts an operand, where `/` opens a regular expression.
    fn advance(&mut self) -> Result<Token, SyntaxError> {
        let prefix = matches!(&self.tok, Token::Op(op) if !matches!(*op, ")" | "]" | "}"));
        let taken = std::mem::replace(&mut self.tok, Token::End);
        self.advance_from(prefix)?;
        Ok(taken)
    }

    fn is(&self, op: &str) -> bool {
        matches!(&self.tok, Token::Op(o) if *o == op)
    }

    fn expect(&mut self, op: &str) -> Result<(), SyntaxError> {
        if self.is(op) {
            self.advance()?;
            Ok(())
        } else if self.tok == Token::End {
            Err(self.error(
                "S0203",
                format!("Expected \"{op}\" before end of expression"),
            ))
        } else {
            Err(self.error(
                "S0202",
                format!("Expected \"{op}\", got {}", show(&self.tok)),
            ))
        }
    }

    fn expression(&mut self, rbp: u8) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("S0201", "The expression is nested too deeply"));
        }
        let t = self.advance()?;
        let mut left = self.nud(t)?;
        while rbp < binding_power(&self.tok) {
            let t = self.advance()?;
            left = self.led(t, left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    fn list(&mut self, close: &str, sep: &str) -> Result<Vec<Expr>, SyntaxError> {
        let mut items = Vec::new();
        if !self.is(close) {
            loop {
                items.push(self.expression(0)?);
                if !self.is(sep) {
                    break;
                }
                self.advance()?;
                // A block may end with `;`.
                if sep == ";" && self.is(close) {
                    break;
                }
            }
        }
        self.expect(close)?;
        Ok(items)
    }

    fn pairs(&mut self) -> Result<Vec<(Expr, Expr)>, SyntaxError> {
        let mut pairs = Vec::new();
        if !self.is("}") {
            loop {
                let key = self.expression(0)?;
                self.expect(":")?;
                pairs.push((key, self.expression(0)?));
                if !self.is(",") {
                    break;
                }
                self.advance()?;
            }
        }
        self.expect("}")?;
        Ok(pairs)
    }

    fn nud(&mut self, t: Token) -> Result<Expr, SyntaxError> {
        Ok(match t {
            Token::Number(n) => Expr::Number(n),
            Token::String(s) => Expr::String(s),
            Token::Regex { pattern, flags } => Expr::Regex { pattern, flags },
            Token::Variable(v) => Expr::Variable(v),
            Token::Name(n) => match n.as_str() {
                "true" => Expr::Bool(true),
                "false" => Expr::Bool(false),
                "null" => Expr::Null,
                _ => Expr::Name(n),
            },
            Token::Op("-") => Expr::Negate(Box::new(self.expression(70)?)),
            Token::Op("*") => Expr::Wildcard,
            Token::Op("**") => Expr::Descendant,
            Token::Op("%") => Expr::Parent,
            Token::Op("?") => Expr::Placeholder,
            Token::Op("[") => Expr::Array(self.list("]", ",")?),
            Token::Op("{") => Expr::Object(self.pairs()?),
            Token::Op("(") => Expr::Block(self.list(")", ";")?),
            Token::Op("|") => {
                let pattern = Box::new(self.expression(0)?);
                self.expect("|")?;
                let update = Box::new(self.expression(0)?);
                let delete = if self.is(",") {
                    self.advance()?;
                    Some(Box::new(self.expression(0)?))
                } else {
                    None
                };
                self.expect("|")?;
                Expr::Transform {
                    pattern,
                    update,
                    delete,
                }
            }
            Token::Op(op) => {
                return Err(self.error(
                    "S0211",
                    format!("The symbol \"{op}\" cannot be used as a unary operator"),
                ))
            }
            Token::End => return Err(self.error("S0207", "Unexpected end of expression")),
        })
    }

    fn variable_name(&mut self, after: &str) -> Result<String, SyntaxError> {
        match self.advance()? {
            Token::Variable(v) => Ok(v),
            other => Err(self.error(
                "S0214",
                format!(
                    "The right side of \"{after}\" must be a variable name, got {}",
                    show(&other)
                ),
            )),
        }
    }

    fn led(&mut self, t: Token, left: Expr) -> Result<Expr, SyntaxError> {
        let b = Box::new;
        Ok(match t {
            Token::Op(".") => Expr::Path(b(left), b(self.expression(75)?)),
            Token::Op("[") => {
                if self.is("]") {
                    self.advance()?;
                    Expr::Filter(b(left), None)
                } else {
                    let predicate = self.expression(0)?;
                    self.expect("]")?;
                    Expr::Filter(b(left), Some(b(predicate)))
                }
            }
            Token::Op("{") => Expr::GroupBy(b(left), self.pairs()?),
            Token::Op("(") => match left {
                Expr::Name(ref n) if n == "function" || n == "λ" => self.lambda()?,
                _ => Expr::Call(b(left), self.list(")", ",")?),
            },
            Token::Op("?") => {
                let then = self.expression(0)?;
                let otherwise = if self.is(":") {
                    self.advance()?;
                    Some(b(self.expression(0)?))
                } else {
                    None
                };
                Expr::Condition(b(left), b(then), otherwise)
            }
            Token::Op(":=") => match left {
                Expr::Variable(name) => Expr::Bind(name, b(self.expression(9)?)),
                _ => {
                    return Err(self.error(
                        "S0212",
                        "The left side of := must be a variable name (start with $)",
                    ))
                }
            },
            Token::Op("@") => Expr::Focus(b(left), self.variable_name("@")?),
            Token::Op("#") => Expr::Index(b(left), self.variable_name("#")?),
            Token::Op("^") => {
                self.expect("(")?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is("<") {
                        self.advance()?;
                    } else if self.is(">") {
                        self.advance()?;
                        descending = true;
                    }
                    terms.push((self.expression(0)?, descending));
                    if !self.is(",") {
                        break;
                    }
                    self.advance()?;
                }
                self.expect(")")?;
                Expr::Sort(b(left), terms)
            }
            other => match binary_op(&other) {
                Some(op) => {
                    let rbp = binding_power(&other);
                    Expr::Binary(op, b(left), b(self.expression(rbp)?))
                }
                None => return Err(self.error("S0201", format!("Syntax error: {}", show(&other)))),
            },
        })
    }

    /// After `function(`: parameters, an optional `<signature>`, then `{ body }`.
    fn lambda(&mut self) -> Result<Expr, SyntaxError> {
        let mut params = Vec::new();
        if !self.is(")") {
            loop {
                match self.advance()? {
                    Token::Variable(v) => params.push(v),
                    other => return Err(self.error("S0208", format!("Parameter {} of function definition must be a variable name (start with $)", show(&other)))),
                }
                if !self.is(",") {
                    break;
                }
                self.advance()?;
            }
        }
        if !self.is(")") {
            return Err(self.error("S0202", format!("Expected \")\", got {}", show(&self.tok))));
        }
        // The signature is raw text between `<` and its matching `>`.
        let after_paren = self.lexer.pos;
        let rest = &self.lexer_source()[after_paren..];
        let trimmed = rest.trim_start();
        let mut signature = None;
        if trimmed.starts_with('<') {
            let offset = after_paren + (rest.len() - trimmed.len());
            let mut depth = 0;
            let mut end = None;
            for (i, c) in trimmed.char_indices() {
                match c {
                    '<' => depth += 1,
                    '>' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let end = end.ok_or_else(|| {
                self.error("S0401", "The function signature is not terminated by '>'")
            })?;
            let text = &trimmed[1..end];
            // The signature is checked where it is written, before the body, as the reference
            // implementation does: a bad signature is reported even when the body is bad too.
            if let Err(e) = crate::signature::Signature::parse(text) {
                return Err(SyntaxError {
                    code: e.code,
                    message: e.message,
                    position: offset,
                });
            }
            signature = Some(text.to_string());
            self.lexer.pos = offset + end + 1;
        }
        self.advance()?;
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        Ok(Expr::Lambda {
            params,
            signature,
            body: Box::new(body),
        })
    }

    fn lexer_source(&self) -> &str {
        self.lexer.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_language() {
        for ok in [
            "$states.input.items[price > 10].name",
            "$sum($states.input.items.(price * qty))",
            "Account.Order[0].Product{`Product Name`: Price}",
            "($x := 5; $y := function($a, $b)<nn:n>{ $a + $b }; $y($x, 1))",
            "($a := [1..5]; $a ~> $map(function($v){$v*2}))",
            "$not(null in $each($states.input.data.address, function($v) { $length($trim($v)) > 0 ? $v : null }))",
            "items^(>price, <name)",
            "library.loans@$l.books@$b[$l.isbn=$b.isbn]",
            "items#$i[$i < 2]",
            "$match(\"abc\", /a(b)c/i)",
            "| items | {\"done\": true}, [\"tmp\"] |",
            "a ?: b ?? c",
            "$f(?, 2)",
            "/* comment */ 1",
            "**.name",
            "%.id",
            "-5 - -3",
            "{\"a\": [1, 2, {\"b\": null}], \"c\": true and false or not}",
            "$",
            "$$",
            "10",
        ] {
            parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn reports_syntax_errors_with_codes() {
        for (bad, code) in [
            ("10 + * 2", "S0201"),
            ("$sum($states.input.items.numbers", "S0203"),
            ("a[1,2)", "S0202"),
            ("\"unterminated", "S0101"),
            ("1 +", "S0207"),
            ("{\"a\":}", "S0211"),
            ("$match(\"a\", /abc", "S0302"),
            ("420.", "S0207"),
            ("$.store.book[?(@.price < 10)].title", "S0211"),
            ("1 2", "S0201"),
            ("[1!2]", "S0204"),
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.code, code, "{bad}: {e}");
        }
        let deep = "(".repeat(10_000);
        assert!(parse(&deep).is_err());
    }
}
