// The API reference page (/api/docs): Swagger UI on the OpenAPI document, from this origin only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  // validatorUrl: null, else Swagger UI fetches a badge from validator.swagger.io.
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true, validatorUrl: null });
});
