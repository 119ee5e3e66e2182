// The OpenAPI document of the token-protected HTTP API (topics_api.h, rasa_api.h).
#include <string>

#include "server/topics_api.h"

namespace faqbot::server {

const std::string& OpenApiDocument() {
  static const std::string kDocument = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "faqbot API",
    "version": "1",
    "description": "An owner's FAQ bot: topics in and out (Rasa NLU YAML or JSON), publishing, and the Rasa-compatible /model/parse and /status. Every operation but this document needs an API token of the owner (`faqbot token create`): `Authorization: Bearer TOKEN` or `?token=TOKEN`. Errors are JSON: {\"ok\": false, \"error\": CODE, \"message\": TEXT, \"status\": \"failure\", \"reason\": CODE, \"code\": HTTP status}. Bodies over 1 MiB get 413; a token over its rate limit gets 429 with Retry-After (seconds)."
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"},
      "query": {"type": "apiKey", "in": "query", "name": "token"}
    },
    "schemas": {
      "Topic": {
        "type": "object",
        "required": ["question"],
        "properties": {
          "id": {"type": "integer", "format": "int64", "readOnly": true, "description": "ignored on input"},
          "name": {"type": "string", "maxLength": 100, "description": "the intent name: unique per owner, 1-100 bytes of UTF-8, no control characters, no blanks at either end; made from the question when left out"},
          "question": {"type": "string", "maxLength": 4000},
          "phrasings": {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 4000}},
          "answer": {"type": "string", "maxLength": 40000, "description": "empty: a draft that needs an answer; publishing leaves it out"},
          "needs_answer": {"type": "boolean", "readOnly": true, "description": "ignored on input"}
        }
      },
      "Topics": {
        "type": "object",
        "required": ["topics"],
        "properties": {"topics": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/Topic"}}}
      },
      "Replaced": {
        "type": "object",
        "properties": {
          "ok": {"type": "boolean"},
          "added": {"type": "integer"},
          "updated": {"type": "integer"},
          "unchanged": {"type": "integer"},
          "deleted": {"type": "integer"},
          "topics": {"type": "integer"},
          "needs_answer": {"type": "integer"}
        }
      },
      "Publishing": {
        "type": "object",
        "properties": {
          "ok": {"type": "boolean"},
          "job_id": {"type": "integer", "format": "int64"},
          "coalesced": {"type": "boolean", "description": "a publish was already waiting; this request joined it"},
          "topics": {"type": "integer", "description": "topics the publish makes live"},
          "needs_answer": {"type": "integer", "description": "drafts without an answer it leaves out"},
          "message": {"type": "string"}
        }
      },
      "Error": {
        "type": "object",
        "properties": {
          "ok": {"type": "boolean"},
          "error": {"type": "string"},
          "message": {"type": "string"},
          "status": {"type": "string"},
          "reason": {"type": "string"},
          "code": {"type": "integer"}
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "malformed body or query", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "no token, or an unknown or revoked one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "a body over 1 MiB, or over a limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooMany": {"description": "over the token's rate limit", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unavailable": {"description": "the database is unreachable", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "parameters": {
      "format": {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["yaml", "json"]}}
    }
  },
  "security": [{"bearer": []}, {"query": []}],
  "paths": {
    "/api/v1/topics": {
      "get": {
        "summary": "The owner's topics: Rasa NLU YAML with responses (default) or JSON (Accept: application/json or ?format=json)",
        "parameters": [{"$ref": "#/components/parameters/format"}],
        "responses": {
          "200": {"description": "the topics; each intent is named after its topic", "content": {
            "application/x-yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/Topics"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooMany"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "put": {
        "summary": "Replace the owner's topics (drafts until the next publish); a topic whose name matches keeps its id",
        "description": "Rasa NLU YAML (responses optional; intents without one become drafts that need an answer) unless the Content-Type is application/json or ?format=json. Everything is checked first: a refused body changes nothing.",
        "parameters": [{"$ref": "#/components/parameters/format"}],
        "requestBody": {"required": true, "content": {
          "application/x-yaml": {"schema": {"type": "string"}},
          "application/json": {"schema": {"$ref": "#/components/schemas/Topics"}}}},
        "responses": {
          "200": {"description": "replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Replaced"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooMany"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/v1/publish": {
      "post": {
        "summary": "Publish the owner's topics in the background; drafts that need an answer are left out",
        "responses": {
          "202": {"description": "publishing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Publishing"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooMany"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/model/parse": {
      "post": {
        "summary": "Rasa's /model/parse: the live model's intent (the topic's name) for a text",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 65536}}}}}},
        "responses": {
          "200": {"description": "Rasa's parse result: text, intent {name, confidence}, intent_ranking, entities"},
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "409": {"description": "nothing published yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooMany"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/status": {
      "get": {
        "summary": "Rasa's /status, plus num_topics",
        "responses": {
          "200": {"description": "fingerprint, model_file, model_id, num_active_training_jobs, num_topics"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooMany"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/api/v1/openapi.json": {
      "get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3 JSON"}}}
    }
  }
})json";
  return kDocument;
}

}  // namespace faqbot::server
