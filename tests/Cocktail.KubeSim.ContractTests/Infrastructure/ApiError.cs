using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// The Status object a failed call returned, as a client sees it. A body that is not a Status (the plain-text
/// "404 page not found" of a path no API group serves) comes back as the message, with no reason and IsStatus false.
/// </summary>
public sealed record ApiError(HttpStatusCode StatusCode, string Reason, string Message, JsonObject Status, bool IsStatus = true)
{
    public static async Task<ApiError> From(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e)
        {
            JsonObject? status;
            try { status = JsonNode.Parse(e.Response.Content) as JsonObject; }
            catch (System.Text.Json.JsonException) { status = null; }
            if (status is null) return new ApiError(e.Response.StatusCode, "", e.Response.Content, new JsonObject(), IsStatus: false);
            return new ApiError(e.Response.StatusCode, status["reason"]?.GetValue<string>() ?? "", status["message"]?.GetValue<string>() ?? "", status);
        }
        throw new Xunit.Sdk.XunitException("expected the API to refuse the call");
    }
}
