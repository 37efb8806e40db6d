//! Names are unique in a room across servers: people of one name who join
//! (or rename themselves) at once through two servers of one Redis are let
//! in one only; the others are told the name is taken.

use super::*;

/// Each of `people` posts `form` to `path`, at once, alternately through
/// the first and the second server: the statuses, in order.
async fn at_once(
    c: &Cluster,
    people: &[reqwest::Client],
    path: &str,
    form: &[&[(&str, &str)]],
) -> Vec<u16> {
    let posts = people
        .iter()
        .zip(form)
        .enumerate()
        .map(|(i, (http, form))| {
            let node = c.node(i % 2);
            async move {
                let res = post(http, node, path)
                    .form(form)
                    .send()
                    .await
                    .expect("post");
                let status = res.status().as_u16();
                let body = res.text().await.expect("body");
                if status == 409 {
                    assert!(
                        body.contains("Someone in this room is already called"),
                        "{body}"
                    );
                }
                status
            }
        });
    futures_util::future::join_all(posts).await
}

#[tokio::test]
async fn two_servers_at_once_let_one_person_of_a_name_into_a_room() {
    let Some(c) = cluster(2, &[]).await else {
        return;
    };
    let people: Vec<reqwest::Client> = (0..10).map(|_| client()).collect();
    let spellings = ["Ann", "ANN", "ann", "aNN", "Ann"];
    let forms: Vec<[(&str, &str); 2]> = (0..people.len())
        .map(|i| {
            [
                ("name", spellings[i % spellings.len()]),
                ("code", "general"),
            ]
        })
        .collect();
    let forms: Vec<&[(&str, &str)]> = forms.iter().map(|f| f.as_slice()).collect();
    let joined = at_once(&c, &people, "/join", &forms).await;
    assert_eq!(
        joined.iter().filter(|s| **s == 303).count(),
        1,
        "{joined:?}"
    );
    assert!(joined.iter().all(|s| *s == 303 || *s == 409), "{joined:?}");

    // Everyone in under a name of their own; then all take one name at once.
    let names: Vec<String> = (0..people.len()).map(|i| format!("P{i}")).collect();
    let forms: Vec<[(&str, &str); 2]> = names
        .iter()
        .map(|name| [("name", name.as_str()), ("code", "general")])
        .collect();
    let forms: Vec<&[(&str, &str)]> = forms.iter().map(|f| f.as_slice()).collect();
    let joined = at_once(&c, &people, "/join", &forms).await;
    let anns = joined.iter().filter(|s| **s == 303).count();
    assert_eq!(anns, people.len(), "{joined:?}");
    let rename = [("name", "Bob"), ("back", "/r/general")];
    let forms: Vec<&[(&str, &str)]> = people.iter().map(|_| rename.as_slice()).collect();
    let renamed = at_once(&c, &people, "/name", &forms).await;
    assert_eq!(
        renamed.iter().filter(|s| **s == 303).count(),
        1,
        "{renamed:?}"
    );
    assert!(
        renamed.iter().all(|s| *s == 303 || *s == 409),
        "{renamed:?}"
    );
}
