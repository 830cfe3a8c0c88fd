// /api/docs: django-ninja's Swagger UI start-up (its swagger-ui-init.js), without the badge that
// would fetch an image from validator.swagger.io: the Content-Security-Policy allows only this site.
const body = document.querySelector("body").dataset;
const config = JSON.parse(document.getElementById("swagger-settings").textContent);
config.dom_id = "#swagger-ui";
config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
config.validatorUrl = null;
if (body.apiCsrf && body.csrfToken) {
  config.requestInterceptor = (request) => {
    request.headers["X-CSRFToken"] = body.csrfToken;
    return request;
  };
}
SwaggerUIBundle(config);
