create = {'type': 'object', 'required': ['method'],
          'properties': {'method': {'type': 'object', 'required': ['name'],
                                    'properties': {'name': {'type': 'string'},
                                                   'uri': {'type': 'string'}}},
                         'stores': {'type': ['array', 'null']},
                         'all_stores': {'type': ['boolean', 'null']},
                         'all_stores_must_succeed': {'type': ['boolean', 'null']}}}
