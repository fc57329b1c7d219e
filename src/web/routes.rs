//! Route tables: each set of admin routes is declared once, as a list of method, path and
//! handler, which both registers the routes and lists them. The list is what the
//! authorisation matrix test walks, so a route added without cells in that test fails it.

/// `route_table!(TABLE, register; get "/path" => handler; …)` declares `TABLE: &[(&str,
/// &str)]` (method, path) and `register(cfg)`, which adds every route and, for a path asked
/// with a method it does not have, a 405 with the methods it does.
macro_rules! route_table {
    ($table:ident, $register:ident; $( $method:ident $path:literal => $handler:expr ;)*) => {
        pub const $table: &[(&str, &str)] = &[ $( (stringify!($method), $path), )* ];

        pub fn $register(cfg: &mut actix_web::web::ServiceConfig) {
            $( cfg.route($path, actix_web::web::$method().to($handler)); )*
            $crate::web::routes::method_not_allowed(cfg, $table);
        }
    };
}
pub(crate) use route_table;

/// After the routes of `table`: each of its paths answers other methods with 405 and `Allow`.
pub fn method_not_allowed(cfg: &mut actix_web::web::ServiceConfig, table: &'static [(&'static str, &'static str)]) {
    let mut paths: Vec<&'static str> = table.iter().map(|(_, p)| *p).collect();
    paths.dedup();
    for path in paths {
        let allow = table.iter().filter(|(_, p)| *p == path).map(|(m, _)| m.to_ascii_uppercase()).collect::<Vec<_>>().join(", ");
        cfg.service(actix_web::web::resource(path).default_service(actix_web::web::to(move || {
            let allow = allow.clone();
            async move { Err::<actix_web::HttpResponse, _>(super::AppError::MethodNotAllowed(allow)) }
        })));
    }
}

/// Every admin route: (method, path from the root), pages first, then the API.
pub fn admin_routes() -> Vec<(String, String)> {
    let pages = super::admin::ROUTES.iter().map(|(m, p)| (m.to_ascii_uppercase(), format!("/admin{p}")));
    let api = super::admin_api::ROUTES.iter().map(|(m, p)| (m.to_ascii_uppercase(), format!("/api/v1/admin{p}")));
    pages.chain(api).collect()
}
