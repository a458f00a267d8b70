using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.LocalHost.Http;

/// <summary>
/// Serves each <c>[HttpTrigger]</c> function at <c>/api/&lt;route&gt;</c>, as <c>func start</c> does. Function routes
/// are ASP.NET Core route templates, so they map one to one. Auth levels are not enforced locally (nor by func start).
/// </summary>
public static class HttpFunctionEndpoints
{
    public static void MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<FunctionDescriptor> functions)
    {
        foreach (var function in functions.Where(f => f.Kind == FunctionKind.Http))
        {
            var trigger = (HttpTriggerAttribute)function.Trigger;
            var route = "/api/" + (trigger.Route ?? function.Name);
            var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();
            endpoints.MapMethods(route, methods, http => InvokeAsync(function, http)).WithDisplayName(function.Name);
        }
    }

    private static async Task InvokeAsync(FunctionDescriptor function, HttpContext http)
    {
        var services = http.RequestServices;
        var result = await FunctionInvoker.InvokeAsync(function, services, p =>
            p.ParameterType == typeof(HttpRequest) ? http.Request
            : p.ParameterType == typeof(CancellationToken) ? http.RequestAborted
            : p.ParameterType == typeof(DurableTaskClient) ? services.GetRequiredService<DurableTaskClient>()
            : p.ParameterType == typeof(string) ? http.GetRouteValue(p.Name!)?.ToString()
            : services.GetRequiredService(p.ParameterType));

        // MVC results (what the ASP.NET Core integration of the Functions worker executes) need an ActionContext.
        if (result is IActionResult action)
            await action.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
        else if (result is not null)
            await http.Response.WriteAsJsonAsync(result, result.GetType());
    }
}
