//! Languages: `Accept-Language` or the `l` setting picks the catalogue, and
//! `<html lang dir>` follow it, on pages, fragments and errors alike.

use super::*;

const ARABIC: (&str, &str) = ("accept-language", "ar-EG,ar;q=0.9,en;q=0.5");

#[tokio::test]
async fn accept_language_arabic_gives_the_home_page_in_arabic_right_to_left() {
    let mut ann = site(&[]);
    let home = ann.get_with("/", &[ARABIC]).await;
    assert_eq!(home.status, StatusCode::OK);
    home.assert_has(r#"<html lang="ar" dir="rtl">"#);
    home.assert_has("<title>دردشة بلا هوية · livechat</title>");
    home.assert_has("الغرف العامة");
    home.assert_has(">انتقل إلى اسمك</a>");
    assert!(!home.body.contains("Public rooms"), "{}", home.body);
    let vary: Vec<_> = home.headers.get_all(header::VARY).iter().collect();
    assert!(
        vary.iter()
            .any(|v| v.to_str().is_ok_and(|v| v.contains("Accept-Language"))),
        "a cache keeps one page per language: {vary:?}"
    );

    let english = ann.get("/").await;
    english.assert_has(r#"<html lang="en" dir="ltr">"#);
    english.assert_has("Public rooms");
}

#[tokio::test]
async fn a_room_page_reads_in_arabic_and_keeps_names_isolated() {
    let mut ann = site(&[]);
    ann.join("عمر", "general").await;
    let room = ann.get_with("/r/general", &[ARABIC]).await;
    assert_eq!(room.status, StatusCode::OK);
    room.assert_has(r#"<html lang="ar" dir="rtl">"#);
    room.assert_has(">انتقل إلى مربع الرسالة</a>");
    room.assert_has(r#"<h2 id="online-h">المتصلون</h2>"#);
    room.assert_has(r#"placeholder="اكتب رسالة""#);
    room.assert_has("<bdi>عمر</bdi>");
    // The join notice was rendered once, in English, as it is shared; the
    // page around it is the reader's.
    for english in ["Online", "Write a message", "Leave", "Skip to message box"] {
        assert!(!room.body.contains(&format!(">{english}<")), "{english}");
    }
}

#[tokio::test]
async fn error_pages_and_fragments_are_in_the_reader_s_language() {
    let mut ann = site(&[]);
    let page = ann.get_with("/no/such/page", &[ARABIC]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_has(r#"<html lang="ar" dir="rtl">"#);
    page.assert_has("<h1>لا شيء هنا</h1>");
    page.assert_has("اذهب إلى الصفحة الرئيسية");

    let fragment = ann
        .get_with("/no/such/page", &[ARABIC, ("hx-request", "true")])
        .await;
    assert_eq!(fragment.status, StatusCode::NOT_FOUND);
    fragment.assert_has("<strong>لا شيء هنا</strong>");
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
}

#[tokio::test]
async fn the_language_setting_overrides_accept_language() {
    let mut ann = site(&[]);
    let chosen = ann
        .get_with("/", &[ARABIC, ("cookie", "settings=l=en")])
        .await;
    chosen.assert_has(r#"<html lang="en" dir="ltr">"#);
    chosen.assert_has("Public rooms");

    let chosen = ann
        .get_with(
            "/",
            &[("accept-language", "en-US"), ("cookie", "settings=l=ar")],
        )
        .await;
    chosen.assert_has(r#"<html lang="ar" dir="rtl">"#);
    chosen.assert_has("الغرف العامة");

    // A setting not understood leaves the choice to the browser.
    let unknown = ann
        .get_with("/", &[ARABIC, ("cookie", "settings=l=xx")])
        .await;
    unknown.assert_has(r#"<html lang="ar" dir="rtl">"#);
}

/// A refusal in Arabic says what was wrong and keeps what was typed, as a
/// page without JavaScript and as a fragment with it.
#[tokio::test]
async fn a_refused_form_in_arabic_keeps_what_was_typed() {
    let mut ann = site(&[]);
    let headers = [("origin", ORIGIN), ARABIC];
    let refused = ann
        .post_with("/join", &[("name", "عمر"), ("code", "QQQQ")], &headers)
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    refused.assert_has(r#"<html lang="ar" dir="rtl">"#);
    refused.assert_has("لا توجد غرفة بالرمز QQQQ");
    refused.assert_has(r#"role="alert""#);
    refused.assert_has(r#"value="QQQQ""#);
    refused.assert_has(r#"value="عمر""#);

    ann.join("عمر", "general").await;
    let long = "ب".repeat(2001);
    let headers = [("origin", ORIGIN), ARABIC, ("hx-request", "true")];
    let refused = ann
        .post_with("/r/general/messages", &[("text", &long)], &headers)
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    refused.assert_has("لا تتجاوز الرسالة 2000 حرف؛ وهذه فيها 2001");
    refused.assert_has(r#"role="alert""#);
    refused.assert_has(&format!(r#"value="{long}""#));
    assert!(
        !refused.body.contains("<html"),
        "a fragment: {}",
        refused.body
    );
}

/// Every member's own stylesheet says "You" and "mentions you" in each
/// language, chosen by the page's `lang`.
#[tokio::test]
async fn the_own_stylesheet_says_you_in_each_language() {
    let mut ann = site(&[]);
    let css = ann.get("/me/0123456789abcdef.css").await;
    assert_eq!(css.status, StatusCode::OK);
    css.assert_has(r#"[data-author="0123456789abcdef"] .you::before{content:"You"}"#);
    css.assert_has(r#":lang(ar) [data-author="0123456789abcdef"] .you::before{content:"أنت"}"#);
    css.assert_has(r#":lang(ar) .mention[data-seed="0123456789abcdef"] .mentions-you::before{content:"يذكرك"}"#);
}
