//! Lists (paging, order, `<Entity>_<Property>` filters), updates and deletes, and the status
//! lifecycle: Pending → Submitted when a document carries every required file, then a reviewer's
//! Successful / Failed (with LastError) / Cancelled.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<i64> {
    list["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn lists_page_order_and_filter() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    let mut alex = Vec::new();
    for n in 0..5 {
        alex.push(
            server
                .create_check(
                    &admin,
                    with(identity_check(1), json!({"Name": format!("Check {n}")})),
                )
                .await,
        );
    }
    let chris = server
        .create_check(
            &admin,
            json!({"BusinessId": 2, "CoworkerId": 3, "Name": "Chris's check"}),
        )
        .await;

    let (status, page) = server.get(&format!("{CHECKS}?page=2&size=2"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), alex[2..4]);
    let paging = json!({
        "CurrentPage": 2, "CurrentPageSize": 2, "CurrentOrderField": "Id", "CurrentSortDirection": "Ascending",
        "FirstItem": 3, "LastItem": 4, "TotalItems": 6, "TotalPages": 3, "HasNextPage": true, "HasPreviousPage": true
    });
    for (key, value) in paging.as_object().unwrap() {
        assert_eq!(&page[key], value, "{key}");
    }
    let (_, last) = server.get(&format!("{CHECKS}?page=4&size=2"), &admin).await;
    assert_eq!(
        (
            last["FirstItem"].as_u64(),
            last["LastItem"].as_u64(),
            ids(&last).len()
        ),
        (Some(0), Some(0), 0)
    );

    let (_, descending) = server
        .get(
            &format!("{CHECKS}?orderBy=Id&dir=Descending&size=1"),
            &admin,
        )
        .await;
    assert_eq!(ids(&descending), [chris]);
    assert_eq!(descending["CurrentSortDirection"], "Descending");
    let (_, by_name) = server.get(&format!("{CHECKS}?orderBy=Name"), &admin).await;
    assert_eq!(by_name["Records"][0]["Name"], "Check 0");
    assert_eq!(by_name["Records"][5]["Name"], "Chris's check");

    let (_, filtered) = server
        .get(
            &format!("{CHECKS}?CoworkerIdentityCheck_Coworker=3"),
            &admin,
        )
        .await;
    assert_eq!(ids(&filtered), [chris]);
    let (_, filtered) = server
        .get(
            &format!("{CHECKS}?CoworkerIdentityCheck_Business=1&size=100"),
            &admin,
        )
        .await;
    assert_eq!(ids(&filtered), alex);
    let (_, filtered) = server
        .get(
            &format!("{CHECKS}?CoworkerIdentityCheck_Name=check%203"),
            &admin,
        )
        .await;
    assert_eq!(ids(&filtered), [alex[3]]);
    let (_, filtered) = server
        .get(
            &format!("{CHECKS}?CoworkerIdentityCheck_VerificationStatus=2"),
            &admin,
        )
        .await;
    assert_eq!(filtered["TotalItems"], 0);

    for bad in [
        "page=0",
        "size=abc",
        "orderBy=Colour",
        "dir=sideways",
        "CoworkerIdentityCheck_Coworker=me",
    ] {
        let (status, answer) = server.get(&format!("{CHECKS}?{bad}"), &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            answer["Errors"][0]["PropertyName"],
            bad.split('=').next().unwrap()
        );
    }
}

#[tokio::test]
async fn documents_filter_by_coworker_and_by_check() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    let first = server.create_check(&admin, identity_check(1)).await;
    let second = server.create_check(&admin, address_check(5)).await;
    let chris = server
        .create_check(
            &admin,
            json!({"BusinessId": 2, "CoworkerId": 3, "Name": "Chris"}),
        )
        .await;
    let d1 = server
        .create_document(
            &admin,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": first, "Name": "a"}),
        )
        .await;
    let d2 = server
        .create_document(
            &admin,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": second, "Name": "b"}),
        )
        .await;
    let d3 = server
        .create_document(
            &admin,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": second, "Name": "c"}),
        )
        .await;
    let d4 = server
        .create_document(
            &admin,
            json!({"CoworkerId": 3, "CoworkerIdentityCheckId": chris, "Name": "d"}),
        )
        .await;

    let (_, list) = server
        .get(
            &format!("{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={second}"),
            &admin,
        )
        .await;
    assert_eq!(ids(&list), [d2, d3]);
    let (_, list) = server
        .get(
            &format!("{DOCUMENTS}?CoworkerIdentityCheckDocument_Coworker=1"),
            &admin,
        )
        .await;
    assert_eq!(ids(&list), [d1, d2, d3]);
    let (_, list) = server
        .get(
            &format!("{DOCUMENTS}?CoworkerIdentityCheckDocument_Coworker=3"),
            &admin,
        )
        .await;
    assert_eq!(ids(&list), [d4]);
    assert_eq!(list["Records"][0]["CoworkerIdentityCheckName"], "Chris");
    let (_, list) = server
        .get(&format!("{DOCUMENTS}?CoworkerIdentityCheckDocument_Coworker=1&CoworkerIdentityCheckDocument_CoworkerIdentityCheck={first}"), &admin)
        .await;
    assert_eq!(ids(&list), [d1]);
    let (_, list) = server
        .get(&format!("{DOCUMENTS}?page=2&size=3"), &admin)
        .await;
    assert_eq!(
        (ids(&list), list["TotalPages"].as_u64()),
        (vec![d4], Some(2))
    );
}

#[tokio::test]
async fn put_updates_the_whole_record_and_delete_removes_it() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let id = server.create_check(&member, identity_check(1)).await;
    let mut record = server.check(&admin, id).await;
    let created_on = record["CreatedOn"].clone();
    record["Name"] = json!("Renamed");
    record["Description"] = json!("Checked at the desk");
    record["IdentityDocumentNumber"] = json!("Z-999");
    let (status, answer) = server.put(CHECKS, &admin, record).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheck was successfully updated."
    );
    assert_eq!(answer["Value"]["Id"], id);
    assert_eq!(answer["UpdatedBy"], "admin@example.com");
    let record = server.check(&admin, id).await;
    assert_eq!(record["Name"], "Renamed");
    assert_eq!(record["Description"], "Checked at the desk");
    assert_eq!(record["IdentityDocumentNumber"], "Z-999");
    assert_eq!(record["UpdatedBy"], "admin@example.com");
    assert_eq!(record["CreatedOn"], created_on);

    // A PUT is validated like a create, and refused whole.
    let (status, answer) = server
        .put(
            CHECKS,
            &admin,
            with(
                record.clone(),
                json!({"Name": "", "IdentityDocumentNumber": "#"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Message"],
        "Name: is a required field\nIdentityDocumentNumber: may only contain letters, digits, spaces and hyphens"
    );
    assert_eq!(server.check(&admin, id).await["Name"], "Renamed");
    let (status, answer) = server
        .put(CHECKS, &admin, with(record.clone(), json!({"Id": null})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["Message"], "Id: is a required field");
    let (status, answer) = server
        .put(CHECKS, &admin, with(record.clone(), json!({"Id": 4242})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheck 4242 was not found."
    );

    // Deleting a check deletes its documents.
    let document = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": id, "Name": "d"}),
        )
        .await;
    let (status, answer) = server.delete(&format!("{CHECKS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheck was successfully deleted."
    );
    let (status, answer) = server.get(&format!("{CHECKS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["Message"],
        format!("CoworkerIdentityCheck {id} was not found.")
    );
    let (status, _) = server.get(&format!("{DOCUMENTS}/{document}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server.delete(&format!("{CHECKS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "deleting twice");
}

#[tokio::test]
async fn documents_update_and_delete() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let id = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "d"}),
        )
        .await;
    let record = server.document(&admin, id).await;
    let (status, _) = server
        .put(
            DOCUMENTS,
            &admin,
            with(record, json!({"Notes": "Blurry photo, please retake"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        server.document(&member, id).await["Notes"],
        "Blurry photo, please retake"
    );
    let (status, answer) = server
        .put(
            DOCUMENTS,
            &admin,
            json!({"Id": 999, "CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "d"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheckDocument 999 was not found."
    );
    let (status, answer) = server.delete(&format!("{DOCUMENTS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheckDocument was successfully deleted."
    );
    let (status, _) = server.get(&format!("{DOCUMENTS}/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn status_of(server: &Server, token: &str, check: i64) -> i64 {
    server.check(token, check).await["VerificationStatus"]
        .as_i64()
        .unwrap()
}

async fn document_status(server: &Server, token: &str, id: i64) -> i64 {
    server.document(token, id).await["VerificationStatus"]
        .as_i64()
        .unwrap()
}

/// A reviewer's PUT of the check as read, with `changes`.
async fn review(server: &Server, token: &str, check: i64, changes: Value) -> (StatusCode, Value) {
    let record = server.check(token, check).await;
    server.put(CHECKS, token, with(record, changes)).await
}

#[tokio::test]
async fn a_check_moves_from_pending_to_submitted_to_a_decision() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let reviewer = server.token("reviewer").await;
    let photo = data_url("image/jpeg", &jpeg(500));
    let front = data_url("image/png", &png(500));
    let passport = server.create_check(&member, identity_check(1)).await;
    assert_eq!(status_of(&server, &member, passport).await, 1, "Pending");

    // A passport needs the face photo and the front; the photo alone leaves it Pending.
    let partial = server
        .create_document(&member, json!({"CoworkerId": 1, "CoworkerIdentityCheckId": passport, "Name": "Passport", "NewPhotoUrl": photo}))
        .await;
    assert_eq!(status_of(&server, &member, passport).await, 1);
    assert_eq!(document_status(&server, &member, partial).await, 1);
    let complete = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": passport, "Name": "Passport", "NewPhotoUrl": photo, "NewDocumentUrl": front}),
        )
        .await;
    assert_eq!(status_of(&server, &member, passport).await, 2, "Submitted");
    assert_eq!(document_status(&server, &member, complete).await, 2);

    // Failed needs a LastError the member can read.
    let (status, answer) = review(
        &server,
        &reviewer,
        passport,
        json!({"VerificationStatus": 4}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Message"],
        "LastError: is a required field when VerificationStatus is Failed"
    );
    let (status, answer) = review(
        &server,
        &reviewer,
        passport,
        json!({"VerificationStatus": 4, "LastError": "The photo is blurred"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let record = server.check(&member, passport).await;
    assert_eq!(
        (
            record["VerificationStatus"].as_i64(),
            record["LastError"].as_str()
        ),
        (Some(4), Some("The photo is blurred"))
    );
    assert_eq!(
        document_status(&server, &member, complete).await,
        4,
        "the submitted document failed with its check"
    );
    assert_eq!(
        document_status(&server, &member, partial).await,
        1,
        "the incomplete one was never submitted"
    );

    // The member sends new images for the same check: Submitted again.
    let again = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": passport, "Name": "Passport", "NewPhotoUrl": photo, "NewDocumentUrl": front}),
        )
        .await;
    assert_eq!(status_of(&server, &member, passport).await, 2);

    let (status, _) = review(
        &server,
        &reviewer,
        passport,
        json!({"VerificationStatus": 3, "LastError": null}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&server, &member, passport).await, 3, "Successful");
    assert_eq!(document_status(&server, &member, again).await, 3);

    // Successful is final, and a closed check takes no more documents.
    for back_to in [1, 2, 4, 5] {
        let (status, answer) = review(
            &server,
            &reviewer,
            passport,
            json!({"VerificationStatus": back_to, "LastError": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{back_to}");
        assert_eq!(answer["Errors"][0]["PropertyName"], "VerificationStatus");
        assert!(
            answer["Errors"][0]["Message"]
                .as_str()
                .unwrap()
                .starts_with("cannot move from Successful to"),
            "{answer}"
        );
    }
    let (status, answer) = server
        .post(DOCUMENTS, &member, json!({"CoworkerId": 1, "CoworkerIdentityCheckId": passport, "Name": "late", "NewPhotoUrl": photo}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Errors"][0]["PropertyName"],
        "CoworkerIdentityCheckId"
    );
    assert_eq!(
        answer["Errors"][0]["Message"],
        "refers to a check that is Successful and takes no more documents"
    );
}

#[tokio::test]
async fn pending_and_submitted_are_the_servers_to_set_and_cancel_closes() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let reviewer = server.token("reviewer").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let (status, answer) =
        review(&server, &reviewer, check, json!({"VerificationStatus": 2})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Message"],
        "VerificationStatus: cannot move from Pending to Submitted"
    );
    let (status, _) = review(&server, &reviewer, check, json!({"VerificationStatus": 3})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "nothing was submitted to approve"
    );
    let (status, _) = review(&server, &reviewer, check, json!({"VerificationStatus": 5})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(status_of(&server, &member, check).await, 5, "Cancelled");
    let (status, _) = review(&server, &reviewer, check, json!({"VerificationStatus": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "Cancelled is final");
}

#[tokio::test]
async fn each_document_type_needs_its_own_slots() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let requested = |verification_type: u16| json!({"BusinessId": 1, "CoworkerId": 1, "Name": "Requested", "VerificationType": verification_type});
    let photo = data_url("image/jpeg", &jpeg(500));
    let front = data_url("image/png", &png(500));
    let back = data_url("image/webp", &webp(500));
    // (check body, the files sent, whether that submits the check)
    let cases = [
        (
            identity_check(1),
            vec![("NewPhotoUrl", &photo), ("NewDocumentUrl", &front)],
            true,
        ),
        (
            identity_check(5),
            vec![("NewPhotoUrl", &photo), ("NewDocumentUrl", &front)],
            true,
        ),
        (
            identity_check(2),
            vec![("NewPhotoUrl", &photo), ("NewDocumentUrl", &front)],
            false,
        ),
        (
            identity_check(2),
            vec![
                ("NewPhotoUrl", &photo),
                ("NewDocumentUrl", &front),
                ("NewAdditionalDocumentUrl", &back),
            ],
            true,
        ),
        (
            identity_check(99),
            vec![("NewPhotoUrl", &photo), ("NewDocumentUrl", &front)],
            true,
        ),
        (
            identity_check(99),
            vec![
                ("NewDocumentUrl", &front),
                ("NewAdditionalDocumentUrl", &back),
            ],
            false,
        ),
        (address_check(4), vec![("NewDocumentUrl", &front)], true),
        (
            address_check(8),
            vec![("NewPhotoUrl", &photo), ("NewAdditionalDocumentUrl", &back)],
            false,
        ),
        // A document lacking files is stored, not refused: the check simply stays Pending.
        (identity_check(1), vec![], false),
        // Requested with only its verification type, the check's document type is Other (99).
        (
            requested(1),
            vec![("NewPhotoUrl", &photo), ("NewDocumentUrl", &front)],
            true,
        ),
        (requested(1), vec![("NewDocumentUrl", &front)], false),
        (requested(2), vec![("NewDocumentUrl", &front)], true),
    ];
    for (body, files, submits) in cases {
        let label = format!(
            "{} {} with {:?}",
            body["VerificationType"],
            body.get("IdentityDocumentType")
                .or(body.get("AddressDocumentType"))
                .map_or("(no type)".to_string(), Value::to_string),
            files.iter().map(|f| f.0).collect::<Vec<_>>()
        );
        let check = server.create_check(&member, body).await;
        let mut document =
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Document"});
        for (property, url) in files {
            document[property] = json!(url);
        }
        server.create_document(&member, document).await;
        assert_eq!(
            status_of(&server, &member, check).await,
            if submits { 2 } else { 1 },
            "{label}"
        );
    }
}

#[tokio::test]
async fn a_put_that_completes_a_document_submits_it() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let reviewer = server.token("reviewer").await;
    let check = server.create_check(&member, identity_check(3)).await;
    let id = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "ID card",
                   "NewPhotoUrl": data_url("image/jpeg", &jpeg(500)), "NewDocumentUrl": data_url("image/png", &png(500))}),
        )
        .await;
    assert_eq!(
        status_of(&server, &member, check).await,
        1,
        "an ID card needs its back too"
    );
    let record = server.document(&reviewer, id).await;
    let (status, answer) = server
        .put(
            DOCUMENTS,
            &reviewer,
            with(
                record,
                json!({"NewAdditionalDocumentUrl": data_url("image/webp", &webp(500))}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(document_status(&server, &member, id).await, 2);
    assert_eq!(status_of(&server, &member, check).await, 2);
    let record = server.document(&reviewer, id).await;
    let (status, answer) = server
        .put(
            DOCUMENTS,
            &reviewer,
            with(record, json!({"VerificationStatus": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Message"],
        "VerificationStatus: cannot move from Submitted to Pending"
    );
}
