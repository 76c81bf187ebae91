//! The service each connection gets. `go/<name>` — one path segment that no other route
//! claims — goes straight to the redirect lookup; everything else goes through the router.
//! The router would send the same requests to the same lookup (its catch-all route), but on
//! the way it matches routes, stores the path parameter, the matched path, the request id and
//! the client's address in the request's extensions, and sets the request id header on the
//! request as well as on the response: with the routing itself, nearly a third of the
//! instructions a hit spent in its connection's task (callgrind, docs/benchmarks.md). Here a
//! redirect pays only for its response's request id.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::Method;
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
        if is_go_link(&request) {
            let state = self.make.state.clone();
            let id = match request.headers().get(&REQUEST_ID) {
                // A request id the client chose comes back, as the router's layers do it.
                Some(id) => id.clone(),
                None => self.make.ids.next(),
            };
            let (request, _) = request.into_parts();
            return Box::pin(async move {
                let mut response = redirect::answer(&state, &request.uri, &request.headers).await;
                response.headers_mut().insert(REQUEST_ID, id);
                Ok(response)
            });
        }
        // The client's address feeds the sign-in rate limit (`auth::client`).
        request.extensions_mut().insert(ConnectInfo(self.client));
        let mut router = self.make.router.clone();
        Box::pin(async move { tower::Service::call(&mut router, request).await })
    }
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
