package flow

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// Device is the device sign-in (RFC 8628), for a machine without a browser:
// the person approves on another device.
type Device struct {
	Config *oauth2.Config
}

// ErrDeviceDisabled says the server or workspace does not offer device
// sign-in.
var ErrDeviceDisabled = errors.New("this Ward server does not allow signing in with a device code; " +
	"sign in with `ward login` on a machine with a browser, or use an API key with `ward login --with-api-key`")

// Start asks for a device code and a user code.
func (d *Device) Start(ctx context.Context) (*oauth2.DeviceAuthResponse, error) {
	if d.Config.Endpoint.DeviceAuthURL == "" {
		return nil, ErrDeviceDisabled
	}
	da, err := d.Config.DeviceAuth(ctx)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "unauthorized_client" || re.ErrorCode == "unsupported_grant_type") {
			return nil, ErrDeviceDisabled
		}
		return nil, describe(err)
	}
	return da, nil
}

// Wait polls until the person approves or denies, the code expires, or ctx
// ends. It keeps to the interval and slows down when told to (§3.5).
func (d *Device) Wait(ctx context.Context, da *oauth2.DeviceAuthResponse) (*oauth2.Token, error) {
	tok, err := d.Config.DeviceAccessToken(ctx, da)
	if err == nil {
		return tok, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "access_denied":
			return nil, &OAuthError{Code: re.ErrorCode, Description: "the sign-in was denied on the approval page"}
		case "expired_token":
			return nil, &OAuthError{Code: re.ErrorCode, Description: "the code expired before it was approved; run the login again"}
		}
	}
	return nil, fmt.Errorf("device sign-in failed: %w", describe(err))
}
