package awslambda

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// slowRequest is the encoding/json reading of an HTTP event: classify, then
// aws-lambda-go's event type.
func slowRequest(payload []byte) (src source, e *httpRequest, multi bool, id string, err error) {
	switch src = classify(payload); src {
	case sourceREST:
		var ev events.APIGatewayProxyRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			e, id = restRequest(&ev), ev.RequestContext.RequestID
		}
	case sourceHTTPAPI, sourceFunctionURL:
		var ev events.APIGatewayV2HTTPRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			e, id = v2Request(&ev), ev.RequestContext.RequestID
		}
	case sourceALB:
		var ev events.ALBTargetGroupRequest
		if err = json.Unmarshal(payload, &ev); err == nil {
			e, multi = albRequest(&ev), ev.MultiValueHeaders != nil
		}
	}
	return
}

// checkSameReading fails when the fast decoder reads payload otherwise than
// encoding/json. It reports whether the fast decoder took it.
func checkSameReading(t *testing.T, payload []byte) bool {
	t.Helper()
	ev := new(httpEvent)
	if !decodeHTTPEvent(payload, ev) {
		return false
	}
	src := ev.source()
	if want := classify(payload); src != want && src != sourceUnknown {
		t.Fatalf("fast decoder says %v, classify %v", src, want)
	}
	e, multi, ok := ev.request(src)
	if !ok {
		return false
	}
	wantSrc, want, wantMulti, wantID, err := slowRequest(payload)
	if err != nil {
		// A field the edge does not read has the wrong type: encoding/json
		// refuses the event, the fast decoder does not look.
		return true
	}
	if wantSrc != src || wantMulti != multi || (src != sourceALB && wantID != ev.requestID) {
		t.Fatalf("source %v/%v, multi %v/%v, id %q/%q", src, wantSrc, multi, wantMulti, ev.requestID, wantID)
	}
	e.spare = nil // room for build's headers
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("fast decoder read\n%#v\nencoding/json read\n%#v", e, want)
	}
	return true
}

func TestFastDecoderReadsAsEncodingJSON(t *testing.T) {
	fast := 0
	for _, ev := range sampleEvents(t) {
		t.Run(ev.name, func(t *testing.T) {
			if checkSameReading(t, ev.payload) {
				fast++
			}
		})
	}
	// Every HTTP sample but the authorizer and WebSocket events.
	if fast < 19 {
		t.Errorf("the fast decoder took %d samples", fast)
	}
	for _, p := range []string{
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"Version":"1.0"}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":{"a":"1","A":"2"}}`,
		`{"version":"2.0","rawPath":"/\ud800","requestContext":{"http":{"method":"GET"}}}`,
		"{\"version\":\"2.0\",\"rawPath\":\"/\xff\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":{"a":null}}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"headers":{},"headers":{}}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"},"connectionId":"c"}}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"assignmentId":"x"}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}}} x`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"x":[1,2,}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"x":01}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":5}}}`,
		`{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"GET"}},"k\u212a":1}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"t"}},"queryStringParameters":{"a":"1","a":"2"}}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"accountId":"1"},"multiValueQueryStringParameters":{"a":["1"],"a":["2"]}}`,
	} {
		if checkSameReading(t, []byte(p)) {
			t.Errorf("the fast decoder took %s", p)
		}
	}
	for _, p := range []string{
		`{"version":"2.0","rawPath":"/a\u00e9\ud83c\udf89\n","requestContext":{"http":{"method":"GET"},"stage":null},"rawPath":"/b","x":[{"y":[true,false,null,-1.5e+3,0,"\"\\\/\b\f\n\r\t\u0041"]}]}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"accountId":"1","identity":{"sourceIp":"192.0.2.1"}},"multiValueHeaders":{"a":[],"b":["1","2"]},"multiValueQueryStringParameters":{"q":["a b","c"]}}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"t"}},"multiValueHeaders":{},"headers":{"x-forwarded-for":"1.1.1.1"},"queryStringParameters":{"z":"1","a":"%20"}}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"t"}},"multiValueHeaders":null,"headers":{"x-forwarded-for":"1.1.1.1, 2.2.2.2"}}`,
		`{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"t"}},"headers":{"x-a-header-name-longer-than-the-sixty-four-bytes-canonicalised-on-the-stack":"1","X-MIXED-case":"2","x-ok":"3"}}`,
	} {
		if !checkSameReading(t, []byte(p)) {
			t.Errorf("the fast decoder declined %s", p)
		}
	}
}

// FuzzFastDecoder checks that the fast decoder reads every payload it takes
// as encoding/json does.
func FuzzFastDecoder(f *testing.F) {
	for _, ev := range sampleEvents(f) {
		f.Add(ev.payload)
	}
	f.Fuzz(func(t *testing.T, payload []byte) { checkSameReading(t, payload) })
}
