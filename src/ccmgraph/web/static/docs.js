// Swagger UI over this server's OpenAPI description (a file, so that no inline script is needed)
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,  // the default validator is online
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
