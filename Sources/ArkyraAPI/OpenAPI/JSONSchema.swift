/// A JSON Schema (the OpenAPI 3.1 dialect) built in code, so the API description lives next to the routes
/// it describes and a test keeps both in step.
indirect enum JSONSchema: Sendable {
    case string(format: String? = nil, values: [String]? = nil, minLength: Int? = nil, maxLength: Int? = nil)
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case boolean
    case array(JSONSchema)
    /// An object with `properties`; `required` names the ones always present; `closed` refuses other keys.
    case object(properties: [String: JSONSchema], required: [String] = [], closed: Bool = true)
    /// An object whose values all follow one schema (a map).
    case map(JSONSchema)
    case ref(String)
    case oneOf([JSONSchema])
    case nullable(JSONSchema)

    static let uuid = JSONSchema.string(format: "uuid")
    static let dateTime = JSONSchema.string(format: "date-time")
    static let text = JSONSchema.string()

    /// The schema as JSON.
    var json: [String: Any] {
        switch self {
        case .string(let format, let values, let minLength, let maxLength):
            var json: [String: Any] = ["type": "string"]
            if let format { json["format"] = format }
            if let values { json["enum"] = values }
            if let minLength { json["minLength"] = minLength }
            if let maxLength { json["maxLength"] = maxLength }
            return json
        case .integer(let minimum, let maximum):
            var json: [String: Any] = ["type": "integer"]
            if let minimum { json["minimum"] = minimum }
            if let maximum { json["maximum"] = maximum }
            return json
        case .boolean:
            return ["type": "boolean"]
        case .array(let items):
            return ["type": "array", "items": items.json]
        case .object(let properties, let required, let closed):
            var json: [String: Any] = ["type": "object", "properties": properties.mapValues(\.json)]
            if !required.isEmpty { json["required"] = required.sorted() }
            if closed { json["additionalProperties"] = false }
            return json
        case .map(let values):
            return ["type": "object", "additionalProperties": values.json]
        case .ref(let name):
            return ["$ref": "#/components/schemas/\(name)"]
        case .oneOf(let schemas):
            return ["oneOf": schemas.map(\.json)]
        case .nullable(let schema):
            return ["oneOf": [schema.json, ["type": "null"]]]
        }
    }
}
