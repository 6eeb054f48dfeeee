"""`kclassics profile`: parameters and multiply-adds per block and layer, like the book's tfprof."""

import json

from kclassics.cli._args import non_negative_int, positive_int


def register(commands, argv=()):
    from kclassics import profiler

    parser = commands.add_parser(
        "profile",
        help="parameters and multiply-adds per block and layer (tfprof-style tree)",
        description="Print the model as a tree of blocks and layers, each as `name (self/total params, "
        "self/total multiply-adds)` for one image, like tfprof (book 11.3).",
    )
    parser.add_argument("model", help="registered model name (see `kclassics list`)")
    parser.add_argument("--max-depth", type=non_negative_int, default=4, help="deepest level printed (default: 4)")
    parser.add_argument("--order-by", choices=profiler.ORDERS, default="name", help="child order (default: name = build order)")
    parser.add_argument("--show", metavar="REGEX", help="print only nodes whose name matches (and their parents)")
    parser.add_argument("--hide", metavar="REGEX", help="leave out nodes whose name matches, with their children")
    parser.add_argument("--image-size", type=positive_int, help="input height and width (default: the model's)")
    parser.add_argument("--json", action="store_true", help="print the whole tree as JSON")
    parser.set_defaults(check=check, run=run)


def check(args):
    from kclassics.cli.models import check_model_name

    check_model_name(args.model, "model")


def run(args):
    from kclassics import apps, profiler

    card = apps.model_info(args.model)
    profiler.check_render_arguments(args.order_by, args.show, args.hide)  # before the model is built
    kwargs = {}
    if args.image_size is not None:
        kwargs["input_shape"] = (args.image_size, args.image_size, card.input_shape[-1])
    root = profiler.profile(apps.create_model(args.model, **kwargs))
    if args.json:
        print(json.dumps(root.as_dict(), indent=2))
        return 0
    print("\n".join(profiler.render(root, args.max_depth, args.order_by, args.show, args.hide)))
    return 0
