//! Avatars drawn on the server from a member's seed: a symmetric 5×5 pattern
//! in one colour, like a small quilt. Nothing is fetched from anywhere.

use maud::{Markup, PreEscaped, html};

use crate::chat::Seed;

/// The SVG document of the avatar for `seed`. The same seed always gives the same picture.
pub fn svg(seed: &Seed) -> String {
    let bits = u64::from_str_radix(seed.as_str(), 16).unwrap_or(0);
    let hue = (bits % 360) as u16;
    let cells = bits >> 9;
    html! {
        (PreEscaped(XML_DECLARATION))
        svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 5 5" width="64" height="64" shape-rendering="crispEdges" {
            rect width="5" height="5" fill=(format!("hsl({hue} 45% 92%)")) {}
            @for row in 0..5u32 {
                @for col in 0..3u32 {
                    @if cells >> (row * 3 + col) & 1 == 1 {
                        (cell(col, row, hue))
                        @if col < 2 { (cell(4 - col, row, hue)) }
                    }
                }
            }
        }
    }
    .into_string()
}

/// What opens a standalone SVG file.
const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

fn cell(x: u32, y: u32, hue: u16) -> Markup {
    html! { rect x=(x) y=(y) width="1" height="1" fill=(format!("hsl({hue} 55% 42%)")) {} }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_avatar() {
        let seed = Seed::parse("0123456789abcdef").expect("valid seed");
        assert_eq!(svg(&seed), svg(&seed));
        assert!(
            svg(&seed).starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><svg "#),
            "a standalone SVG file"
        );
    }

    #[test]
    fn different_seeds_draw_different_avatars() {
        let a = Seed::parse("0123456789abcdef").expect("valid seed");
        let b = Seed::parse("fedcba9876543210").expect("valid seed");
        assert_ne!(svg(&a), svg(&b));
    }
}
