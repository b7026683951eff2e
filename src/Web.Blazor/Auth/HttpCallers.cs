using System.Diagnostics;
using Cocktail.Application.Common;

namespace Cocktail.Web.Auth;

public static class HttpCallers
{
    /// <summary>Who is calling, from where, and the correlation id the events of this request will carry.</summary>
    public static Caller ToCaller(this HttpContext http) => new(
        http.User.Identity?.IsAuthenticated == true ? http.User.UserId() : null,
        http.Connection.RemoteIpAddress?.ToString(),
        http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null,
        Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
}
