using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>The Status object a failed call returned, as a client sees it.</summary>
public sealed record ApiError(HttpStatusCode StatusCode, string Reason, string Message, JsonObject Status)
{
    public static async Task<ApiError> From(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e)
        {
            var status = JsonNode.Parse(e.Response.Content) as JsonObject ?? new JsonObject();
            return new ApiError(e.Response.StatusCode, status["reason"]?.GetValue<string>() ?? "", status["message"]?.GetValue<string>() ?? "", status);
        }
        throw new Xunit.Sdk.XunitException("expected the API to refuse the call");
    }
}
