//! The service each connection gets. `go/<name>` — one path segment that no other route
//! claims — goes straight to the redirect lookup; everything else goes through the router.
//! The router would send the same requests to the same lookup (its catch-all route), but on
//! the way it matches routes, stores the path parameter, the matched path, the request id and
//! the client's address in the request's extensions, and set the request id header on the
//! request as well as on the response: with the routing itself, nearly a third of the
//! instructions a hit spent in its connection's task (callgrind, docs/benchmarks.md). Here a
//! redirect pays only for its response's request id. The request id's rule lives here, for
//! both paths.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use axum::serve::{IncomingStream, Listener};

use super::{REQUEST_ID, redirect, request_id};
use crate::app::AppState;
use crate::domain::is_reserved;

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Makes one [`Front`] per connection, knowing the client's address.
#[derive(Clone)]
pub struct MakeFront {
    router: Router,
    state: AppState,
    ids: request_id::Counter,
}

impl MakeFront {
    pub fn new(router: Router, state: AppState, ids: request_id::Counter) -> Self {
        MakeFront { router, state, ids }
    }
}

impl<L> tower::Service<IncomingStream<'_, L>> for MakeFront
where
    L: Listener<Addr = SocketAddr>,
{
    type Response = Front;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Front, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'_, L>) -> Self::Future {
        std::future::ready(Ok(Front {
            make: self.clone(),
            client: *stream.remote_addr(),
        }))
    }
}

/// One connection's service.
#[derive(Clone)]
pub struct Front {
    make: MakeFront,
    client: SocketAddr,
}

impl tower::Service<Request> for Front {
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Answer {
        // Every response carries a request id: the one the client sent, else the next of ours.
        let id = match request.headers().get(&REQUEST_ID) {
            Some(id) => id.clone(),
            None => self.make.ids.next(),
        };
        if is_go_link(&request) {
            let state = self.make.state.clone();
            let (request, _) = request.into_parts();
            return Box::pin(async move {
                let response = redirect::answer(&state, &request.uri, &request.headers).await;
                Ok(with_id(response, id))
            });
        }
        // A page's log span names the request id (`request_id::span`); the client's address
        // feeds the sign-in rate limit (`auth::client`).
        request.headers_mut().insert(REQUEST_ID, id.clone());
        request.extensions_mut().insert(ConnectInfo(self.client));
        let mut router = self.make.router.clone();
        Box::pin(async move {
            let response = tower::Service::call(&mut router, request).await?;
            Ok(with_id(response, id))
        })
    }
}

/// The response with the request id, unless it set one itself.
fn with_id(mut response: Response, id: HeaderValue) -> Response {
    response.headers_mut().entry(REQUEST_ID).or_insert(id);
    response
}

/// Whether the router would send the request to the redirect's catch-all route: a `GET` of
/// one path segment. Every other route starts with a reserved segment (`_`, `scim`,
/// `healthz`, …: `domain::reserved`), and the bare `/` has none.
fn is_go_link(request: &Request) -> bool {
    let Some(segment) = request.uri().path().strip_prefix('/') else {
        return false;
    };
    request.method() == Method::GET
        && !segment.is_empty()
        && !segment.contains('/')
        && !is_reserved(segment)
}
