//! A burst: 30 members at once, each creating a passport check, uploading two images and creating
//! the document, through one gateway whose one upstream account has Nexudus' rate limits. The
//! gateway paces its calls so that every member succeeds and Nexudus throttles none of them.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;

const MEMBERS: usize = 30;
/// The whole burst, members and checks, must be over by then.
const BOUND: Duration = Duration::from_secs(180);
/// The double's coworkers and their businesses.
const COWORKERS: [(i64, i64); 4] = [(1, 1), (2, 1), (3, 2), (4, 2)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_members_at_once_all_succeed_and_nexudus_throttles_none() {
    let double = Double::start().await;
    let gateway = Arc::new(Gateway::start(&double).await);
    let mut tokens = Vec::new();
    for index in 0..MEMBERS {
        let (coworker, business) = COWORKERS[index % COWORKERS.len()];
        tokens.push((coworker, gateway.mint(coworker, business).await));
    }

    let started = Instant::now();
    let mut tasks = Vec::new();
    for (index, (coworker, token)) in tokens.into_iter().enumerate() {
        let gateway = gateway.clone();
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let fail = |what: &str, why: String| {
                Err(format!(
                    "member {index} after {:.1?}: {what}: {why}",
                    started.elapsed()
                ))
            };
            let seed = (index * 3) as u8;
            let request = gateway
                .request(Method::POST, CHECKS, Some(&token))
                .json(&passport_check());
            let check = match gateway.try_send(request).await {
                Ok(answer) => match answer.json["Value"]["Id"].as_i64() {
                    Some(id) => id,
                    None => return fail("the check", answer.to_string()),
                },
                Err(err) => return fail("the check", err),
            };
            let mut urls = Vec::new();
            for image in [jpeg(seed), jpeg(seed.wrapping_add(1))] {
                let request = gateway
                    .request(Method::POST, "/api/uploads", Some(&token))
                    .header("content-type", "image/jpeg")
                    .body(image);
                match gateway.try_send(request).await {
                    Ok(answer) => match answer.json["Url"].as_str() {
                        Some(url) => urls.push(url.to_string()),
                        None => return fail("an upload", answer.to_string()),
                    },
                    Err(err) => return fail("an upload", err),
                }
            }
            let request = gateway
                .request(Method::POST, DOCUMENTS, Some(&token))
                .json(&document(check, Some(&urls[0]), Some(&urls[1])));
            match gateway.try_send(request).await {
                Ok(answer) => match answer.json["Value"]["Id"].as_i64() {
                    Some(document) => Ok((coworker, check, document)),
                    None => fail("the document", answer.to_string()),
                },
                Err(err) => fail("the document", err),
            }
        }));
    }
    let outcomes = tokio::time::timeout(BOUND, async {
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.expect("a member's task"));
        }
        outcomes
    })
    .await
    .unwrap_or_else(|_| panic!("the burst took more than {BOUND:?}"));
    let elapsed = started.elapsed();
    eprintln!("burst of {MEMBERS} members: {elapsed:.1?}");

    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(failures.is_empty(), "members failed: {failures:#?}");
    let conflicts = double.conflicts();
    assert!(conflicts.is_empty(), "the double throttled: {conflicts:#?}");

    let created: Vec<(i64, i64, i64)> = outcomes.into_iter().map(Result::unwrap).collect();
    let checks = double.records(CHECKS, "").await;
    let documents = double.records(DOCUMENTS, "").await;
    assert_eq!(checks.len(), MEMBERS, "checks upstream");
    assert_eq!(documents.len(), MEMBERS, "documents upstream");
    let check_ids: BTreeSet<i64> = created.iter().map(|c| c.1).collect();
    assert_eq!(
        check_ids,
        checks.iter().map(|c| c["Id"].as_i64().unwrap()).collect(),
        "the members' checks are the ones upstream"
    );
    for (coworker, check, document) in &created {
        let stored = double.record(&format!("{CHECKS}/{check}")).await;
        assert_eq!(stored["CoworkerId"], json!(coworker), "{stored}");
        assert_eq!(stored["VerificationStatus"], json!(2), "{stored}");
        let stored = double.record(&format!("{DOCUMENTS}/{document}")).await;
        assert_eq!(stored["CoworkerIdentityCheckId"], json!(check), "{stored}");
        assert_eq!(stored["CoworkerId"], json!(coworker), "{stored}");
        assert!(stored["PhotoFileName"].is_string(), "{stored}");
        assert!(stored["DocumentFileName"].is_string(), "{stored}");
    }
    assert!(elapsed < BOUND);
}
