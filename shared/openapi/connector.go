package openapi

import "encoding/json"

// connectorHost is the placeholder host of the connector files; the maker
// changes it on import.
const connectorHost = "your-function-app.azurewebsites.net"

// PowerPlatformConnector returns apiDefinition.swagger.json and
// apiProperties.json for a custom connector of routes that calls the
// function app with a function key (Power Platform's connectors cannot use
// app-only tokens, so the document has no OAuth 2.0).
// https://learn.microsoft.com/connectors/custom-connectors/paconn-cli
func PowerPlatformConnector(routes []Route) (definition, properties []byte, err error) {
	doc, err := build(routes, target{host: connectorHost, basePath: "/", schemes: []string{"https"}})
	if err != nil {
		return nil, nil, err
	}
	doc["info"].(map[string]any)["contact"] = map[string]any{"name": "The function app's owner"}
	if definition, err = json.MarshalIndent(doc, "", "  "); err != nil {
		return nil, nil, err
	}
	props := map[string]any{"properties": map[string]any{
		"capabilities": []string{},
		"connectionParameters": map[string]any{securityFunctionKey: map[string]any{
			"type": "securestring",
			"uiDefinition": map[string]any{
				"displayName": "Function key",
				"description": "A function key of the function app (Azure portal: the function app, App keys).",
				"tooltip":     "Sent as the x-functions-key header",
				"constraints": map[string]any{"tabIndex": 2, "clearText": false, "required": "true"},
			},
		}},
		"iconBrandColor": "#0078D4",
	}}
	if properties, err = json.MarshalIndent(props, "", "  "); err != nil {
		return nil, nil, err
	}
	return append(definition, '\n'), append(properties, '\n'), nil
}
