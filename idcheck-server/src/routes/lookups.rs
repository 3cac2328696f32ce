//! `GET /api/sys/businesses` and `GET /api/spaces/coworkers`: the seeded locations and customers,
//! in the list envelope, for any signed-in user (the component needs them to name a check's
//! business and coworker).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use idcheck_core::model::{Business, Coworker, ListEnvelope};

use crate::auth::roles::AuthUser;
use crate::error::ApiError;
use crate::extract::QueryParams;
use crate::state::AppState;
use crate::store::{self, lookups};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sys/businesses", get(businesses))
        .route("/api/spaces/coworkers", get(coworkers))
}

async fn businesses(
    State(state): State<AppState>,
    _user: AuthUser,
    query: QueryParams,
) -> Result<Json<ListEnvelope<Business>>, ApiError> {
    let query = super::list_query(
        &query,
        lookups::BUSINESS_FILTERS,
        lookups::BUSINESS_TEXT_FILTERS,
        lookups::BUSINESS_ORDER,
    )?;
    super::list_page(&state, query, store::lookups::businesses).await
}

async fn coworkers(
    State(state): State<AppState>,
    _user: AuthUser,
    query: QueryParams,
) -> Result<Json<ListEnvelope<Coworker>>, ApiError> {
    let query = super::list_query(
        &query,
        lookups::COWORKER_FILTERS,
        lookups::COWORKER_TEXT_FILTERS,
        lookups::COWORKER_ORDER,
    )?;
    super::list_page(&state, query, store::lookups::coworkers).await
}
