//! A stand-in for the platform: receives the browser after onboarding.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

pub struct Receiver {
    pub base: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let hits: Arc<Mutex<Vec<String>>> = Arc::default();
        let recorded = hits.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let recorded = recorded.clone();
            App::new().default_service(web::to(move |req: HttpRequest| {
                let recorded = recorded.clone();
                async move {
                    // The platform's page that shows the form in a frame.
                    if req.path() == "/embed" {
                        let src = url::form_urlencoded::parse(req.query_string().as_bytes())
                            .find(|(key, _)| key == "src")
                            .map(|(_, value)| value.replace('&', "&amp;").replace('"', "&quot;"))
                            .unwrap_or_default();
                        return HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
                            "<!doctype html><html lang=en><title>Platform</title><main><h1>Open your account</h1>\
                             <iframe src=\"{src}\" title=\"Onboarding\" style=\"width:100%;height:1100px;border:0\">\
                             </iframe></main></html>"
                        ));
                    }
                    if req.path() == "/onboarded" {
                        recorded.lock().unwrap().push(req.query_string().to_owned());
                    }
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body("<!doctype html><html lang=en><title>Platform</title><main><h1>Welcome back to the platform</h1></main></html>")
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            hits,
        }
    }

    /// Where sessions send the browser; carries a query parameter of its own.
    pub fn redirect_url(&self) -> String {
        format!("{}/onboarded?ref=e2e", self.base)
    }

    /// The platform's page that frames `src`.
    pub fn embed_url(&self, src: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("src", src)
            .finish();
        format!("{}/embed?{query}", self.base)
    }

    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}
